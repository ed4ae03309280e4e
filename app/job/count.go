package job

import "strconv"

// Count writes n and noun, plural unless n is 1: "1 record", "2 records",
// "0 drifts". noun is the singular; a plural other than noun+"s" is given
// after a slash: Count(2, "repository/repositories").
func Count(n int, noun string) string {
	one, many := noun, noun+"s"
	for i := 0; i < len(noun); i++ {
		if noun[i] == '/' {
			one, many = noun[:i], noun[i+1:]
			break
		}
	}
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
