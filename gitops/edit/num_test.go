package edit
import ("testing";"time";"encoding/json")
func TestNumSpeed(t *testing.T){
  for _, s := range []string{"1e999999", "1e-999999", "1e99999999999"} {
    st:=time.Now(); _, err := hclText(json.Number(s)); t.Log(s, err, time.Since(st))
    st=time.Now(); numEqual(s, "1"); t.Log("eq", time.Since(st))
  }
}
