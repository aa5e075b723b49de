package domain

import (
	"strings"
	"testing"
	"time"
)

func birthProcedure() Procedure {
	return Procedure{
		Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", Field: "Hộ tịch", Level: "cấp xã",
		AgencyCode: "000.01.50.H21", FeeKnown: true, BCCIIntake: true,
		Documents: []DocumentRequirement{
			{Name: "Tờ khai đăng ký khai sinh theo mẫu", Required: true, Original: true},
			{Name: "Giấy chứng sinh hoặc giấy tờ thay Giấy chứng sinh", Required: true, Original: true},
			{Name: "Giấy xác nhận tình trạng hôn nhân", Required: false},
		},
	}
}

// goodIntake is a complete counter intake of birthProcedure.
func goodIntake() Dossier {
	docs := IntakeDocuments(birthProcedure())
	docs[0].Received, docs[1].Received = true, true
	return Dossier{
		Option:        OptionSendAndReturn,
		ProcedureCode: "1.001193",
		Applicant: Person{FullName: "  Rơ Mah   H'Bích ", IDType: IDCCCD, IDNumber: "064 301 000 045",
			Phone: "+84 905 123 456", Commune: "Ia O", Address: "Làng Mrông Yố"},
		Documents:     docs,
		Place:         PlaceCounter,
		Postage:       30000,
		ReturnMethod:  ReturnByPost,
		ReturnAddress: "Làng Mrông Yố, xã Ia O",
		ItemCode:      "rr473124829vn",
	}
}

func TestPrepareIntakeTidiesAGoodIntake(t *testing.T) {
	d, errs := PrepareIntake(goodIntake(), birthProcedure())
	if len(errs) != 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	if d.Applicant.FullName != "Rơ Mah H'Bích" || d.Applicant.IDNumber != "064301000045" || d.Applicant.Phone != "0905123456" {
		t.Errorf("applicant not tidied: %+v", d.Applicant)
	}
	if d.ItemCode != "RR473124829VN" || d.ProcedureName != "Thủ tục đăng ký khai sinh" || d.AgencyCode != "000.01.50.H21" {
		t.Errorf("codes not tidied: %q %q %q", d.ItemCode, d.ProcedureName, d.AgencyCode)
	}
	if d.FeePayment != PayNow || d.FeePaid {
		t.Errorf("no fee: payment %q paid %v", d.FeePayment, d.FeePaid)
	}
}

func TestValidateIntakeRules(t *testing.T) {
	open := birthProcedure()
	closed := birthProcedure()
	closed.BCCIIntake = false
	returnOnlyProc := birthProcedure()
	returnOnlyProc.BCCIIntake, returnOnlyProc.BCCIReturn = false, true
	at := time.Date(2026, 11, 25, 14, 0, 0, 0, Zone)

	tests := []struct {
		name  string
		proc  Procedure
		edit  func(d *Dossier)
		field string // "" = valid
		key   string
	}{
		{"good", open, func(d *Dossier) {}, "", ""},
		{"no option", open, func(d *Dossier) { d.Option = "" }, "option", "err.intake.option"},
		{"bad option", open, func(d *Dossier) { d.Option = "fax" }, "option", "err.intake.option"},
		{"no procedure", Procedure{}, func(d *Dossier) {}, "procedure", "err.intake.procedure_missing"},
		{"other procedure", open, func(d *Dossier) { d.ProcedureCode = "1.000894" }, "procedure", "err.intake.procedure_missing"},
		{"closed for send", closed, func(d *Dossier) { d.Option = OptionSend }, "procedure", "err.intake.procedure_closed"},
		{"closed for send and return", closed, func(d *Dossier) {}, "procedure", "err.intake.procedure_closed"},
		{"closed both ways, return only", closed, func(d *Dossier) { d.Option = OptionReturnOnly }, "procedure", "err.intake.procedure_closed_return"},
		{"return flag only, return only", returnOnlyProc, func(d *Dossier) { d.Option = OptionReturnOnly }, "", ""},
		{"intake open, return unknown, return only", open, func(d *Dossier) { d.Option = OptionReturnOnly }, "", ""},
		{"return flag only, send", returnOnlyProc, func(d *Dossier) { d.Option = OptionSend }, "procedure", "err.intake.procedure_closed"},
		{"no name", open, func(d *Dossier) { d.Applicant.FullName = " \t" }, "applicant.full_name", "err.intake.name_required"},
		{"name with digits", open, func(d *Dossier) { d.Applicant.FullName = "Nguyễn Văn 3" }, "applicant.full_name", "err.intake.name_digits"},
		{"name too long", open, func(d *Dossier) { d.Applicant.FullName = strings.Repeat("a", 121) }, "applicant.full_name", "err.intake.too_long"},
		{"no id type", open, func(d *Dossier) { d.Applicant.IDType = "" }, "applicant.id_type", "err.intake.id_type"},
		{"cccd empty", open, func(d *Dossier) { d.Applicant.IDNumber = "" }, "applicant.id_number", "err.cccd.empty"},
		{"cccd bad province", open, func(d *Dossier) { d.Applicant.IDNumber = "000301000045" }, "applicant.id_number", "err.cccd.province"},
		{"cccd length", open, func(d *Dossier) { d.Applicant.IDNumber = "06430100004" }, "applicant.id_number", "err.cccd.length"},
		{"cccd given 9 digits", open, func(d *Dossier) { d.Applicant.IDNumber = "230123456" }, "applicant.id_number", "err.intake.id_is_legacy"},
		{"cmnd good", open, func(d *Dossier) { d.Applicant.IDType, d.Applicant.IDNumber = IDLegacy9, "230 123 456" }, "", ""},
		{"cmnd 12 digits", open, func(d *Dossier) { d.Applicant.IDType = IDLegacy9 }, "applicant.id_number", "err.intake.id_legacy"},
		{"cmnd letters", open, func(d *Dossier) { d.Applicant.IDType, d.Applicant.IDNumber = IDLegacy9, "23012345x" }, "applicant.id_number", "err.intake.id_legacy"},
		{"passport good", open, func(d *Dossier) { d.Applicant.IDType, d.Applicant.IDNumber = IDPassport, "c1234567" }, "", ""},
		{"passport empty", open, func(d *Dossier) { d.Applicant.IDType, d.Applicant.IDNumber = IDPassport, "" }, "applicant.id_number", "err.intake.id_required"},
		{"passport symbols", open, func(d *Dossier) { d.Applicant.IDType, d.Applicant.IDNumber = IDPassport, "C12/34" }, "applicant.id_number", "err.intake.id_passport"},
		{"no phone", open, func(d *Dossier) { d.Applicant.Phone = "" }, "applicant.phone", "err.phone.empty"},
		{"bad phone", open, func(d *Dossier) { d.Applicant.Phone = "0123 456 789" }, "applicant.phone", "err.phone.prefix"},
		{"representative without id", open, func(d *Dossier) {
			d.Representative = &Person{FullName: "Ksor Y Bhin", IDType: IDCCCD}
		}, "representative.id_number", "err.cccd.empty"},
		{"representative without name", open, func(d *Dossier) {
			d.Representative = &Person{IDType: IDCCCD, IDNumber: "064085001234"}
		}, "representative.full_name", "err.intake.representative_name"},
		{"representative good", open, func(d *Dossier) {
			d.Representative = &Person{FullName: "Ksor Y Bhin", IDType: IDCCCD, IDNumber: "064085001234"}
		}, "", ""},
		{"representative blank is none", open, func(d *Dossier) { d.Representative = &Person{IDType: IDCCCD} }, "", ""},
		{"missing paper not notified", open, func(d *Dossier) { d.Documents[1].Received = false }, "missing_notified", "err.intake.missing_not_notified"},
		{"missing paper notified", open, func(d *Dossier) { d.Documents[1].Received, d.MissingNotified = false, true }, "", ""},
		{"optional paper missing needs no notice", open, func(d *Dossier) { d.Documents[2].Received = false }, "", ""},
		{"nothing received", open, func(d *Dossier) {
			for i := range d.Documents {
				d.Documents[i].Received = false
			}
			d.MissingNotified = true
		}, "documents", "err.intake.no_documents"},
		{"zero copies", open, func(d *Dossier) { d.Documents[0].Count = 0 }, "documents.0.count", "err.intake.document_count"},
		{"too many copies", open, func(d *Dossier) { d.Documents[1].Count = 100 }, "documents.1.count", "err.intake.document_count"},
		{"count of unreceived paper ignored", open, func(d *Dossier) { d.Documents[2].Count = 0 }, "", ""},
		{"return only needs no papers", open, func(d *Dossier) {
			d.Option = OptionReturnOnly
			d.Documents[0].Received, d.Documents[1].Received = false, false
		}, "", ""},
		{"no place", open, func(d *Dossier) { d.Place = "" }, "place", "err.intake.place"},
		{"home without appointment", open, func(d *Dossier) { d.Place = PlaceHome }, "home_appointment", "err.intake.home_appointment"},
		{"home without address", open, func(d *Dossier) { d.Place, d.HomeAppointment, d.Applicant.Address = PlaceHome, &at, "" }, "applicant.address", "err.intake.home_address"},
		{"home without commune", open, func(d *Dossier) { d.Place, d.HomeAppointment, d.Applicant.Commune = PlaceHome, &at, "" }, "applicant.commune", "err.intake.home_commune"},
		{"home good", open, func(d *Dossier) { d.Place, d.HomeAppointment = PlaceHome, &at }, "", ""},
		{"negative postage", open, func(d *Dossier) { d.Postage = -1 }, "postage", "err.intake.money"},
		{"negative fee", open, func(d *Dossier) { d.Fee = -5000 }, "fee", "err.intake.money"},
		{"huge fee", open, func(d *Dossier) { d.Fee, d.FeePayment = MaxMoney+1, PayNow }, "fee", "err.intake.money"},
		{"fee without payment", open, func(d *Dossier) { d.Fee = 8000 }, "fee_payment", "err.intake.fee_payment"},
		{"fee on delivery, send only", open, func(d *Dossier) {
			d.Option, d.Fee, d.FeePayment = OptionSend, 8000, PayOnDelivery
		}, "fee_payment", "err.intake.pay_on_delivery"},
		{"fee on delivery, returned", open, func(d *Dossier) { d.Fee, d.FeePayment = 8000, PayOnDelivery }, "", ""},
		{"return by post without address", open, func(d *Dossier) { d.ReturnAddress = "  " }, "return_address", "err.intake.return_address"},
		{"no return method", open, func(d *Dossier) { d.ReturnMethod = "" }, "return_method", "err.intake.return_method"},
		{"collect at post point", open, func(d *Dossier) { d.ReturnMethod, d.ReturnAddress = ReturnAtCounter, "" }, "", ""},
		{"send only needs no return", open, func(d *Dossier) { d.Option, d.ReturnMethod, d.ReturnAddress = OptionSend, "", "" }, "", ""},
		{"bad S10 check digit", open, func(d *Dossier) { d.ItemCode = "RR473124828VN" }, "item_code", "err.item_code.check_digit"},
		{"bad S10 format", open, func(d *Dossier) { d.ItemCode = "12345" }, "item_code", "err.item_code.format"},
		{"no S10 is fine", open, func(d *Dossier) { d.ItemCode = " " }, "", ""},
		{"bad official code", open, func(d *Dossier) { d.Option, d.OfficialCode = OptionReturnOnly, "H21-1" }, "official_code", "err.official_code.format"},
		{"good official code", open, func(d *Dossier) { d.Option, d.OfficialCode = OptionReturnOnly, "000.00.20.H21-261008-0975" }, "", ""},
		{"notes too long", open, func(d *Dossier) { d.Notes = strings.Repeat("x", MaxNotesLength+1) }, "notes", "err.intake.too_long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := goodIntake()
			tt.edit(&d)
			errs := ValidateIntake(d, tt.proc)
			if tt.field == "" {
				if len(errs) != 0 {
					t.Fatalf("want valid, got %v", errs)
				}
				return
			}
			for _, e := range errs {
				if e.Field == tt.field && e.Key == tt.key {
					return
				}
			}
			t.Fatalf("want %s on %s, got %v", tt.key, tt.field, errs)
		})
	}
}

func TestValidateIntakeListsEveryError(t *testing.T) {
	d := goodIntake()
	d.Applicant.FullName, d.Applicant.IDNumber, d.Applicant.Phone = "", "12", "abc"
	d.Documents[0].Received = false
	d.ItemCode = "RR000000000VN"
	errs := ValidateIntake(d, birthProcedure())
	fields := map[string]bool{}
	for _, e := range errs {
		fields[e.Field] = true
	}
	for _, f := range []string{"applicant.full_name", "applicant.id_number", "applicant.phone", "missing_notified", "item_code"} {
		if !fields[f] {
			t.Errorf("no error on %s: %v", f, errs)
		}
	}
}

func TestMissingNotifiedNamesThePapers(t *testing.T) {
	d := goodIntake()
	d.Documents[1].Received = false
	errs := ValidateIntake(d, birthProcedure())
	if len(errs) != 1 || errs[0].Args["Names"] != "Giấy chứng sinh hoặc giấy tờ thay Giấy chứng sinh" || errs[0].Args["N"] != "1" {
		t.Fatalf("got %#v", errs)
	}
}

func TestFeePaidFollowsPayment(t *testing.T) {
	d := goodIntake()
	d.Fee, d.FeePayment = 8000, PayNow
	got, errs := PrepareIntake(d, birthProcedure())
	if len(errs) != 0 || !got.FeePaid {
		t.Fatalf("pay now: paid=%v errs=%v", got.FeePaid, errs)
	}
	d.FeePayment = PayOnDelivery
	if got, _ = PrepareIntake(d, birthProcedure()); got.FeePaid {
		t.Fatal("pay on delivery marked paid at intake")
	}
}

func TestIntakeDocumentsAndMissing(t *testing.T) {
	docs := IntakeDocuments(birthProcedure())
	if len(docs) != 3 || docs[0].Received || docs[0].Count != 1 || !docs[0].Original || docs[2].Required {
		t.Fatalf("checklist %+v", docs)
	}
	if m := MissingDocuments(docs); len(m) != 2 {
		t.Fatalf("missing %+v", m)
	}
	docs[0].Received, docs[1].Received = true, true
	if m := MissingDocuments(docs); len(m) != 0 {
		t.Fatalf("missing %+v", m)
	}
}

func TestParseMoney(t *testing.T) {
	good := map[string]Money{"": 0, "0": 0, "15000": 15000, "15.000": 15000, "15 000 ₫": 15000, "1,250,000đ": 1250000, " 8.000 VND": 8000}
	for in, want := range good {
		if got, err := ParseMoney(in); err != nil || got != want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"-5000", "15k", "abc", "1.5e6", "9999999999999"} {
		if _, err := ParseMoney(in); err == nil {
			t.Errorf("ParseMoney(%q) accepted", in)
		}
	}
}
