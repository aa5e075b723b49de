package catalog

import (
	"strings"
	"testing"
	"time"
)

func TestScratchPerf(t *testing.T) {
	inputs := map[string]string{
		"long docs":  head + "1.001193,a,Hộ tịch,cấp xã,,,," + strings.Repeat("a|1|bc;", 1<<20) + "\n",
		"many cols":  head + strings.Repeat("x,", 1<<21) + "\n",
		"many rows":  head + strings.Repeat(okRow[:9]+"1,a,Hộ tịch,cấp xã,1,15.000,1,Tờ khai|1|bc\n", 1<<17),
		"huge quote": head + "\"" + strings.Repeat("a\n", 1<<22),
		"many lines": strings.Repeat("\n", 1<<22) + head + okRow,
	}
	for n, s := range inputs {
		start := time.Now()
		f, err := ParseCSV(strings.NewReader(s), n)
		es := ""
		if err != nil {
			es = err.Error()
			if len(es) > 200 {
				es = es[:200]
			}
		}
		np := 0
		if f != nil {
			np = len(f.Procedures)
		}
		t.Logf("%s (%d KB): %v, %d procs, err %s", n, len(s)>>10, time.Since(start), np, es)
	}
}
