package catalog

import "postdesk/internal/domain"

// Fields is the list of known procedure fields (lĩnh vực), in their canonical
// spelling. A catalog row whose field is not in this list is rejected
// ("err.catalog.unknown_field"); the match ignores case, diacritics and extra
// spaces, and the canonical spelling below is what gets stored.
//
// The first group is every field of the shipped sample (assets/catalog); the
// second group holds other field names common in commune and provincial
// catalogues of the national portal. Add a field here when a province's
// catalogue needs it.
var Fields = []string{
	// In the shipped sample.
	"Hộ tịch",
	"Chứng thực",
	"Nuôi con nuôi",
	"Lý lịch tư pháp",
	"Đăng ký, quản lý cư trú",
	"Cấp, quản lý căn cước",
	"Định danh và xác thực điện tử",
	"Quản lý xuất nhập cảnh",
	"Đăng ký, quản lý phương tiện giao thông cơ giới, xe máy chuyên dùng",
	"Sát hạch, cấp giấy phép lái xe",
	"Đất đai",
	"Giảm nghèo",
	"Thành lập và hoạt động doanh nghiệp (hộ kinh doanh)",
	"Trồng trọt",
	"Bảo hiểm",
	"Chăn nuôi",
	"Hoạt động xây dựng",
	"Nhà ở và công sở",
	"Bảo trợ xã hội",
	"Người có công",
	"Văn hóa",
	"Giáo dục",

	// Other common fields.
	"Thành lập và hoạt động doanh nghiệp",
	"Thành lập và hoạt động của hợp tác xã",
	"Quốc tịch",
	"Công chứng",
	"Hòa giải ở cơ sở",
	"Phổ biến, giáo dục pháp luật",
	"Trợ giúp pháp lý",
	"Bồi thường nhà nước",
	"Môi trường",
	"Tài nguyên nước",
	"Khoáng sản",
	"Lâm nghiệp",
	"Thủy lợi",
	"Thủy sản",
	"Bảo vệ thực vật",
	"Thú y",
	"Phát triển nông thôn",
	"Nông nghiệp",
	"Quy hoạch xây dựng, kiến trúc",
	"Giao thông đường bộ",
	"Đường bộ",
	"Giáo dục và Đào tạo",
	"Giáo dục đào tạo thuộc hệ thống giáo dục quốc dân",
	"Thể dục thể thao",
	"Du lịch",
	"Gia đình",
	"Thư viện",
	"Di sản văn hóa",
	"Khám bệnh, chữa bệnh",
	"Y tế dự phòng",
	"Dân số",
	"Trẻ em",
	"Phòng, chống tệ nạn xã hội",
	"Lao động",
	"Việc làm",
	"An toàn, vệ sinh lao động",
	"Bảo hiểm xã hội",
	"Bảo hiểm y tế",
	"Tín ngưỡng, tôn giáo",
	"Thi đua, khen thưởng",
	"Chính quyền địa phương",
	"Công chức, viên chức",
	"Tiếp công dân",
	"Giải quyết khiếu nại",
	"Giải quyết tố cáo",
	"Thương mại",
	"Công thương",
	"Lưu thông hàng hóa trong nước",
	"An toàn thực phẩm",
	"Điện",
	"Thuế",
	"Quản lý công sản",
	"Dân tộc",
	"Nghĩa vụ quân sự",
}

// Levels are the canonical handling levels (cấp) a catalog row may name.
var Levels = []string{LevelCommune, LevelProvince, LevelMinistry}

// Canonical level names, as stored in domain.Procedure.Level and domain.Agency.Level.
const (
	LevelCommune  = "cấp xã"
	LevelProvince = "cấp tỉnh"
	LevelMinistry = "cấp bộ"
)

var (
	fieldByFold = map[string]string{}
	levelByFold = map[string]string{
		"cap xa":         LevelCommune,
		"xa":             LevelCommune,
		"cap tinh":       LevelProvince,
		"tinh":           LevelProvince,
		"cap bo":         LevelMinistry,
		"bo":             LevelMinistry,
		"cap trung uong": LevelMinistry,
		"trung uong":     LevelMinistry,
	}
)

func init() {
	for _, f := range Fields {
		fieldByFold[domain.Fold(f)] = f
	}
}

// CanonicalField returns the canonical spelling of a field name, or false
// when the name is not in Fields.
func CanonicalField(s string) (string, bool) {
	f, ok := fieldByFold[domain.Fold(s)]
	return f, ok
}

// CanonicalLevel returns "cấp xã", "cấp tỉnh" or "cấp bộ" for any spelling
// of them (case, diacritics and spaces ignored; "xã", "tỉnh", "bộ" and
// "trung ương" accepted), or false.
func CanonicalLevel(s string) (string, bool) {
	l, ok := levelByFold[domain.Fold(s)]
	return l, ok
}
