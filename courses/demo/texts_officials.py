"""The demo's text lessons for the courses of commune leaders and civil servants.

Each course maps to its modules, each module to (title, minutes, HTML), as in texts_people.
"""

from courses.demo.texts_html import lesson_html as page

OFFICIALS_TEXT_MODULES = {
    "chuyen-doi-so-lanh-dao-cap-xa": [
        (
            "Phần 1. Người đứng đầu và chuyển đổi số",
            [
                (
                    "Vai trò của người đứng đầu",
                    6,
                    page(
                        "Chuyển đổi số ở xã thành công khi người đứng đầu trực tiếp chỉ đạo và làm gương.",
                        [
                            "Tự mình xử lý văn bản trên hệ thống quản lý văn bản, ký số, họp trực tuyến.",
                            "Giao việc rõ người, rõ việc, rõ thời hạn; kiểm tra hằng tháng tại giao ban.",
                            "Đưa chỉ tiêu chuyển đổi số vào nghị quyết, kế hoạch năm của xã.",
                            "Dành kinh phí cho thiết bị, đường truyền và bồi dưỡng Tổ công nghệ số cộng đồng.",
                        ],
                        "Người dân tin dịch vụ số khi thấy chính quyền xã dùng nó mỗi ngày.",
                    ),
                ),
                (
                    "Xây dựng kế hoạch chuyển đổi số của xã",
                    8,
                    page(
                        "Kế hoạch ngắn, đo được, sát với việc của xã hữu ích hơn kế hoạch dài.",
                        [
                            "Đánh giá hiện trạng: tỷ lệ hồ sơ trực tuyến, số người có VNeID mức 2, tài khoản "
                            "thanh toán, hộ bán hàng trên sàn.",
                            "Chọn ba đến năm mục tiêu cho năm, mỗi mục tiêu một con số.",
                            "Phân công thôn, tổ dân phố, Tổ công nghệ số phụ trách từng mục tiêu.",
                            "Phối hợp bưu điện, nhà mạng, ngân hàng trên địa bàn để hỗ trợ người dân.",
                        ],
                        "Mỗi quý rà soát một lần; mục tiêu chậm thì đổi cách làm, không chỉ đổi con số.",
                    ),
                ),
                (
                    "Đo lường và báo cáo kết quả",
                    5,
                    page(
                        "Số liệu đúng giúp lãnh đạo xã biết nơi nào cần dồn sức.",
                        [
                            "Theo dõi tỷ lệ hồ sơ trực tuyến toàn trình trên hệ thống giải quyết thủ tục hành chính.",
                            "Tổng hợp kết quả hỗ trợ của Tổ công nghệ số theo từng thôn.",
                            "So sánh với các xã trong tỉnh để học cách làm tốt.",
                        ],
                        "Báo cáo kèm việc cụ thể sẽ làm tiếp, không chỉ con số đã đạt.",
                    ),
                ),
            ],
        ),
    ],
    "chinh-phu-so-cong-chuc": [
        (
            "Phần 1. Làm việc trên môi trường số",
            [
                (
                    "Văn bản điện tử và chữ ký số",
                    7,
                    page(
                        "Văn bản điện tử có chữ ký số có giá trị pháp lý như văn bản giấy.",
                        [
                            "Nhận, xử lý, chuyển văn bản trên hệ thống quản lý văn bản và điều hành của tỉnh.",
                            "Ký số cá nhân bằng thiết bị ký số hoặc ký số từ xa trên điện thoại.",
                            "Kiểm tra thể thức, tệp đính kèm trước khi ký; văn bản đã phát hành không sửa được.",
                            "Lưu trữ hồ sơ điện tử theo đúng danh mục, không lưu trên máy cá nhân.",
                        ],
                        "Không giao thiết bị ký số hay mã PIN ký số cho người khác ký thay.",
                    ),
                ),
                (
                    "Họp trực tuyến hiệu quả",
                    4,
                    page(
                        "Họp trực tuyến tiết kiệm thời gian đi lại giữa xã và tỉnh.",
                        [
                            "Gửi tài liệu trước cuộc họp; thử âm thanh, hình ảnh trước giờ họp 15 phút.",
                            "Tắt micro khi không phát biểu; giơ tay trên phần mềm để xin phát biểu.",
                            "Chỉ dùng phần mềm họp cơ quan được giao; không gửi đường link họp ra ngoài.",
                        ],
                        "Kết luận cuộc họp được gửi bằng văn bản điện tử ngay trong ngày.",
                    ),
                ),
                (
                    "Khai thác dữ liệu dùng chung",
                    5,
                    page(
                        "Dữ liệu dân cư và dữ liệu chuyên ngành đã kết nối giúp người dân không phải nộp lại "
                        "giấy tờ nhà nước đã có.",
                        [
                            "Tra cứu thông tin công dân qua cơ sở dữ liệu quốc gia về dân cư thay vì yêu cầu bản sao.",
                            "Dùng kết quả số hóa hồ sơ, giấy tờ đã có trong kho dữ liệu của người dân.",
                            "Chỉ khai thác dữ liệu đúng nhiệm vụ được giao, giữ bí mật thông tin cá nhân.",
                        ],
                        "Mỗi giấy tờ không phải đòi lại là một chuyến đi người dân được bớt.",
                    ),
                ),
            ],
        ),
    ],
    "an-toan-thong-tin-co-quan-nha-nuoc": [
        (
            "Phần 1. Thói quen an toàn hằng ngày",
            [
                (
                    "Thư điện tử công vụ và thư giả mạo",
                    6,
                    page(
                        "Phần lớn các cuộc tấn công vào cơ quan nhà nước bắt đầu từ một thư điện tử giả mạo.",
                        [
                            "Chỉ dùng thư công vụ (đuôi .gov.vn) cho công việc, không dùng thư cá nhân.",
                            "Kiểm tra địa chỉ người gửi, không chỉ tên hiển thị.",
                            "Thận trọng với tệp đính kèm nén, tệp văn bản đòi bật macro, đường link đăng nhập.",
                            "Thư đòi chuyển tiền, gửi danh sách cán bộ hay mật khẩu: gọi điện xác minh với "
                            "người gửi qua số đã biết.",
                        ],
                        "Nghi ngờ thì không mở, chuyển cho cán bộ phụ trách công nghệ thông tin kiểm tra.",
                    ),
                ),
                (
                    "Bảo vệ máy tính và dữ liệu",
                    5,
                    page(
                        "Máy tính của xã chứa dữ liệu của người dân: mất dữ liệu là mất lòng tin.",
                        [
                            "Đặt mật khẩu máy tính, khóa màn hình khi rời bàn làm việc.",
                            "Cài phần mềm phòng chống mã độc và để tự cập nhật.",
                            "Không cắm USB lạ; không cài phần mềm bẻ khóa.",
                            "Sao lưu dữ liệu quan trọng định kỳ ra nơi lưu trữ được cơ quan giao.",
                        ],
                        "Hệ thống thông tin được bảo đảm an toàn theo cấp độ; mỗi người dùng là một lớp bảo vệ.",
                    ),
                ),
                (
                    "Khi xảy ra sự cố",
                    4,
                    page(
                        "Báo sớm giúp chặn sự cố lan sang các máy khác và các cơ quan khác.",
                        [
                            "Máy chạy chậm bất thường, tệp bị đổi tên, đòi tiền chuộc: rút dây mạng ngay.",
                            "Không tự xóa, không tắt máy nếu chưa được hướng dẫn, để giữ dấu vết.",
                            "Báo cán bộ phụ trách và đơn vị chuyên trách an toàn thông tin của tỉnh.",
                            "Đổi mật khẩu các tài khoản đã dùng trên máy đó từ một máy an toàn.",
                        ],
                        "Giấu sự cố làm thiệt hại lớn hơn; báo cáo sự cố là trách nhiệm, không phải lỗi.",
                    ),
                ),
            ],
        ),
    ],
    "chuyen-doi-so-xa-ha-noi": [
        (
            "Phần 3. Chính quyền số cấp xã ở Hà Nội",
            [
                (
                    "Chính quyền số sau sắp xếp đơn vị hành chính",
                    6,
                    page(
                        "Từ năm 2025, xã, phường mới của Hà Nội rộng hơn, phục vụ nhiều dân hơn: dịch vụ số giúp "
                        "người dân không phải đi xa.",
                        [
                            "Trung tâm phục vụ hành chính công của xã, phường tiếp nhận hồ sơ trực tuyến toàn trình.",
                            "Người dân nộp hồ sơ tại bất kỳ điểm nào, không phụ thuộc nơi cư trú, với các thủ tục "
                            "được phép.",
                            "Văn bản, hồ sơ của các xã cũ được số hóa và chuyển về xã, phường mới.",
                            "Ứng dụng iHanoi là kênh để người dân phản ánh, kiến nghị với chính quyền thành phố.",
                        ],
                        "Công chức xã, phường hướng dẫn người dân dùng dịch vụ số ngay tại bộ phận một cửa.",
                    ),
                ),
            ],
        ),
    ],
}
