package catalog

import (
	"errors"
	"strings"
	"testing"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// A 1.1 MB procedure name used to be accepted; every intake with it then
// wrote an event over the sync line limit. Each catalog cell is bounded
// where the file is read, with an error naming the line and the column.
func TestCatalogCellsBounded(t *testing.T) {
	huge := strings.Repeat("Thủ tục đăng ký khai sinh ", 1_100_000/26)
	header := "code,name,field,level,agency_code,processing_days,fee_vnd,postage_vnd,bcci_intake,bcci_return,documents,source\n"
	for name, c := range map[string]struct{ row, field string }{
		"1.1 MB name":    {"1.001193," + huge + ",Hộ tịch,cấp xã,,,0,,1,,,test\n", "line 2: name"},
		"long source":    {"1.001193,Khai sinh,Hộ tịch,cấp xã,,,0,,1,,," + strings.Repeat("x", domain.MaxCatalogText+1) + "\n", "line 2: source"},
		"long paper":     {"1.001193,Khai sinh,Hộ tịch,cấp xã,,,0,,1,," + strings.Repeat("Giấy ", domain.MaxDocumentName) + "|1|bc,test\n", "line 2: documents"},
		"long documents": {"1.001193,Khai sinh,Hộ tịch,cấp xã,,,0,,1,," + strings.Repeat("Giấy tờ số một; ", domain.MaxDocumentsCell/16+1) + ",test\n", "line 2: documents"},
	} {
		_, err := ParseCSV(strings.NewReader(header+c.row), "thu-tuc.csv")
		var errs domain.Errors
		if !errors.As(err, &errs) {
			t.Errorf("%s: accepted (%v)", name, err)
			continue
		}
		found := false
		for _, e := range errs {
			if e.Field == c.field && e.Key == "err.catalog.too_long" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no too_long error on %q: %v", name, c.field, err)
		}
	}
	// The Vietnamese message names the column and the bound.
	_, err := ParseCSV(strings.NewReader(header+"1.001193,"+huge+",Hộ tịch,cấp xã,,,0,,1,,,test\n"), "thu-tuc.csv")
	vi, _ := i18n.New("vi")
	if msg := vi.Message(err); !strings.Contains(msg, "name") || !strings.Contains(msg, "quá dài") || !strings.Contains(msg, "500") {
		t.Errorf("message: %q", msg)
	}
	// A procedure from the province (sync path) is bounded the same way.
	if err := ValidateProcedure(domain.Procedure{Code: "1.001193", Name: huge, Field: "Hộ tịch", Level: "cấp xã"}); err == nil {
		t.Error("ValidateProcedure accepted a 1.1 MB name")
	}
}
