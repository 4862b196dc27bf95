"""The demo's question banks: (kind, question, [(answer, correct)], explanation) for each final quiz.

The right answers sit at every place in the written order, as in a real bank: a learner who
always picks the first answer (when choices are not shuffled) must not pass.
"""

PUBLIC_SERVICES_QUESTIONS = [
    (
        "single",
        "Cổng Dịch vụ công quốc gia có địa chỉ nào?",
        [("dichvucong.com", False), ("dichvucong.gov.vn", True), ("dvc.vn.net", False)],
        "Chỉ dùng địa chỉ có đuôi .gov.vn.",
    ),
    (
        "true_false",
        "Có thể nộp hồ sơ trực tuyến bằng tài khoản định danh điện tử VNeID.",
        [("Đúng", True), ("Sai", False)],
        "Tài khoản VNeID mức 2 dùng để đăng nhập Cổng Dịch vụ công.",
    ),
    (
        "single",
        "Khi nhận được mã OTP, bạn nên làm gì?",
        [
            ("Đọc cho người gọi điện tự xưng cán bộ", False),
            ("Đăng lên mạng xã hội", False),
            ("Không đưa mã cho bất kỳ ai", True),
        ],
        "Cán bộ không bao giờ hỏi mã OTP.",
    ),
    (
        "multiple",
        "Lợi ích của dịch vụ công trực tuyến là gì?",
        [("Phải xếp hàng lâu hơn", False), ("Không phải đi lại", True), ("Theo dõi được hồ sơ", True)],
        "Người dân tiết kiệm thời gian và biết hồ sơ đang ở đâu.",
    ),
    (
        "true_false",
        "Lệ phí chỉ có thể nộp bằng tiền mặt tại bộ phận một cửa.",
        [("Đúng", False), ("Sai", True)],
        "Cổng Dịch vụ công hỗ trợ thanh toán trực tuyến lệ phí.",
    ),
    (
        "single",
        "Ai có thể giúp người dân nộp hồ sơ trực tuyến tại thôn, xóm?",
        [("Tổ công nghệ số cộng đồng", True), ("Người lạ gọi điện", False), ("Không ai cả", False)],
        "Tổ công nghệ số cộng đồng đi từng ngõ, gõ từng nhà.",
    ),
    (
        "multiple",
        "Những thông tin nào cần giữ bí mật?",
        [("Mật khẩu", True), ("Tên xã đang sống", False), ("Mã OTP", True)],
        "Mật khẩu và OTP là chìa khóa tài khoản của bạn.",
    ),
    (
        "true_false",
        "Đường link lạ gửi qua tin nhắn luôn an toàn.",
        [("Đúng", False), ("Sai", True)],
        "Đường link lạ có thể dẫn tới trang lừa đảo.",
    ),
]


SCAM_SPOTTING_QUESTIONS = [
    (
        "single",
        "Một người gọi điện xưng là công an, nói bạn liên quan vụ án và yêu cầu chuyển tiền để xác minh. Bạn làm gì?",
        [
            ("Chuyển tiền ngay để khỏi bị bắt", False),
            ("Cúp máy và báo công an xã", True),
            ("Đọc số căn cước để họ kiểm tra", False),
        ],
        "Công an không làm việc qua điện thoại và không bao giờ yêu cầu chuyển tiền.",
    ),
    (
        "single",
        "Địa chỉ nào có thể là trang web giả mạo Cổng Dịch vụ công?",
        [("dichvucong.gov.vn", False), ("dichvucong-gov.vn.top", True)],
        "Trang của cơ quan nhà nước có đuôi .gov.vn; trang giả thêm dấu gạch, đuôi lạ.",
    ),
    (
        "true_false",
        "Nhân viên ngân hàng có thể hỏi mã OTP để hủy giao dịch giúp bạn.",
        [("Đúng", False), ("Sai", True)],
        "Không ai được hỏi mã OTP, kể cả nhân viên ngân hàng.",
    ),
    (
        "multiple",
        "Những dấu hiệu nào cho thấy một lời mời là lừa đảo?",
        [
            ("Hứa việc nhẹ lương cao, lãi suất rất cao", True),
            ("Đòi đóng phí trước để nhận quà", True),
            ("Gửi thông báo có ghi nguồn trên trang .gov.vn", False),
        ],
        "Lòng tham và sự vội vàng là điều kẻ lừa đảo dựa vào.",
    ),
    (
        "single",
        "Người quen nhắn Zalo vay tiền gấp. Cách kiểm tra đúng là gì?",
        [
            ("Chuyển ngay vì là người quen", False),
            ("Gửi lại mã OTP cho họ", False),
            ("Gọi điện hỏi lại và hỏi một chuyện chỉ người nhà biết", True),
        ],
        "Tài khoản mạng xã hội có thể đã bị chiếm; hãy xác minh qua kênh khác.",
    ),
    (
        "true_false",
        "Nên bật xác thực hai lớp cho tài khoản ngân hàng, Zalo và thư điện tử.",
        [("Đúng", True), ("Sai", False)],
        "Xác thực hai lớp chặn kẻ gian dù họ biết mật khẩu.",
    ),
    (
        "single",
        "Mật khẩu nào mạnh nhất?",
        [("12345678", False), ("ngaysinh1980", False), ("Lua#Chin7Vang", True)],
        "Mật khẩu mạnh dài, có chữ hoa, chữ thường, số và ký hiệu, không là ngày sinh.",
    ),
    (
        "multiple",
        "Lỡ chuyển tiền cho kẻ lừa đảo, bạn cần làm gì ngay?",
        [
            ("Gọi tổng đài ngân hàng để khóa tài khoản", True),
            ("Nhờ người lạ trên mạng hứa lấy lại tiền", False),
            ("Báo công an xã kèm ảnh chụp tin nhắn", True),
        ],
        "Báo sớm cho ngân hàng và công an; người hứa lấy lại tiền thường là lừa đảo lần hai.",
    ),
    (
        "single",
        "Bạn nhận tin nhắn kèm tệp .apk “cập nhật ứng dụng điện lực”. Bạn làm gì?",
        [
            ("Không cài, xóa tin nhắn và báo 5656", True),
            ("Cài ngay cho kịp", False),
            ("Chuyển cho người thân cài", False),
        ],
        "Tệp .apk gửi qua tin nhắn có thể chiếm quyền điều khiển điện thoại.",
    ),
    (
        "true_false",
        "Trang tinnhiemmang.vn giúp tra cứu trang web, ứng dụng đáng tin cậy.",
        [("Đúng", True), ("Sai", False)],
        "Tín nhiệm mạng do cơ quan nhà nước về an toàn thông tin vận hành.",
    ),
]

STATE_SECURITY_QUESTIONS = [
    (
        "single",
        "Thư công vụ nên dùng địa chỉ thư điện tử nào?",
        [("Thư cá nhân miễn phí", False), ("Thư công vụ có đuôi .gov.vn", True), ("Thư của đồng nghiệp", False)],
        "Công việc chỉ trao đổi qua thư công vụ của cơ quan.",
    ),
    (
        "true_false",
        "Được giao thiết bị ký số cho văn thư ký thay khi đi vắng.",
        [("Đúng", False), ("Sai", True)],
        "Chữ ký số là của riêng người được cấp, không giao cho ai ký thay.",
    ),
    (
        "single",
        "Máy tính bị mã hóa tệp và hiện thông báo đòi tiền chuộc. Việc đầu tiên là gì?",
        [("Trả tiền chuộc", False), ("Cài lại máy ngay", False), ("Rút dây mạng và báo cán bộ phụ trách", True)],
        "Ngắt mạng chặn lây lan; giữ máy nguyên trạng để điều tra.",
    ),
    (
        "multiple",
        "Thói quen nào giúp bảo vệ dữ liệu của người dân trên máy tính của xã?",
        [("Khóa màn hình khi rời bàn", True), ("Cắm USB lạ để chép tài liệu", False), ("Sao lưu định kỳ", True)],
        "USB lạ là đường lây mã độc phổ biến.",
    ),
    (
        "single",
        "Một thư gửi từ tên giống lãnh đạo tỉnh đề nghị gửi gấp danh sách cán bộ kèm mật khẩu. Bạn làm gì?",
        [("Gọi điện xác minh qua số đã biết", True), ("Gửi ngay cho kịp", False), ("Chuyển tiếp cho cả phòng", False)],
        "Tên hiển thị dễ giả mạo; xác minh qua kênh khác trước khi làm theo.",
    ),
    (
        "true_false",
        "Nên tự xóa các tệp lạ và tắt máy khi nghi bị tấn công, không cần báo ai.",
        [("Đúng", False), ("Sai", True)],
        "Báo cáo sự cố là trách nhiệm; tự xử lý có thể xóa dấu vết.",
    ),
    (
        "multiple",
        "Những tệp đính kèm nào cần thận trọng?",
        [
            ("Tệp nén có mật khẩu", True),
            ("Văn bản đòi bật macro", True),
            ("Văn bản ký số trên hệ thống của tỉnh", False),
        ],
        "Tệp nén và macro là cách mã độc hay dùng để lọt qua.",
    ),
    (
        "single",
        "Hệ thống thông tin của cơ quan nhà nước được bảo đảm an toàn theo gì?",
        [("Theo cấp độ", True), ("Theo ý thích người dùng", False), ("Không cần quy định", False)],
        "Mỗi hệ thống được xác định cấp độ và có phương án bảo vệ tương ứng.",
    ),
]
