// Package validate is the job behind `tfdrift config validate`: it loads
// a config file strictly (app/config) and prints its summary, or every
// problem in it, each naming the file, line and key.
//
// Exit status (Run's error, see job.Status): 0 valid (warnings are
// printed but do not fail); 1 invalid (*InvalidError, the problems
// printed); 2 usage: no file, or a verb other than validate (ErrUsage).
//
// It imports app/job and app/wiring, never another job package.
package validate
