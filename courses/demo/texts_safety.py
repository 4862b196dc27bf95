"""The demo's text lessons about money and scams: an online payment account, and not being fooled online.

Each course maps to its modules, each module to (title, minutes, HTML), as in texts_people.
"""

from courses.demo.texts_html import lesson_html as page

SAFETY_TEXT_MODULES = {
    "tai-khoan-thanh-toan-truc-tuyen": [
        (
            "Phần 1. Chọn và mở tài khoản",
            [
                (
                    "Tài khoản ngân hàng, ví điện tử và Mobile Money",
                    5,
                    page(
                        "Có ba cách phổ biến để trả tiền trên điện thoại. Người dân nên chọn cách phù hợp "
                        "với điện thoại và thói quen của mình.",
                        [
                            "<strong>Tài khoản ngân hàng</strong> và ứng dụng ngân hàng: chuyển khoản, trả "
                            "tiền điện, nước, học phí; cần điện thoại thông minh.",
                            "<strong>Ví điện tử</strong> (MoMo, ZaloPay, ShopeePay…): liên kết với tài khoản "
                            "ngân hàng, tiện cho mua sắm và nạp tiền điện thoại.",
                            "<strong>Mobile Money</strong> (Viettel Money, VNPT Money, MobiFone Money): dùng "
                            "được cả trên điện thoại phím bấm, nạp và rút tiền tại điểm giao dịch của nhà mạng.",
                            "Mọi cách đều phải đăng ký bằng chính căn cước của mình và số điện thoại chính chủ.",
                        ],
                        "Không mở hộ, không cho mượn hay bán tài khoản: kẻ gian dùng tài khoản thuê mướn để nhận "
                        "tiền lừa đảo, và chủ tài khoản phải chịu trách nhiệm.",
                    ),
                ),
                (
                    "Mở tài khoản ngân hàng trên điện thoại từng bước",
                    6,
                    page(
                        "Hầu hết ngân hàng cho mở tài khoản ngay trên ứng dụng, không phải ra quầy.",
                        [
                            "Tải ứng dụng chính thức của ngân hàng từ CH Play hoặc App Store; kiểm tra tên nhà phát "
                            "triển là ngân hàng đó.",
                            "Chụp hai mặt căn cước, rồi quét chip căn cước bằng điện thoại nếu ứng dụng yêu cầu.",
                            "Xác thực khuôn mặt: nhìn thẳng, đủ sáng, làm theo hướng dẫn quay đầu, chớp mắt.",
                            "Đặt mật khẩu đăng nhập và mã PIN giao dịch riêng, không trùng ngày sinh.",
                            "Chuyển thử một khoản nhỏ cho người thân để quen thao tác.",
                        ],
                        "Từ năm 2024, chuyển khoản trên 10 triệu đồng một lần phải xác thực khuôn mặt: đó là lớp "
                        "bảo vệ cho chính bạn.",
                    ),
                ),
            ],
        ),
        (
            "Phần 2. Thanh toán an toàn",
            [
                (
                    "Trả tiền bằng mã QR",
                    4,
                    page(
                        "Mã QR (VietQR) in ở quầy hàng chứa sẵn số tài khoản và tên người nhận.",
                        [
                            "Mở ứng dụng ngân hàng hoặc ví, chọn Quét QR, hướng camera vào mã.",
                            "Đọc kỹ <strong>tên người nhận</strong> hiện trên màn hình trước khi nhập số tiền.",
                            "Nhập số tiền, xác nhận bằng mã PIN hoặc khuôn mặt; cho người bán xem màn hình thành công.",
                            "Mã QR dán đè lên mã cũ, hoặc tên người nhận khác tên cửa hàng, là dấu hiệu gian lận.",
                        ],
                        "Chỉ quét mã QR để trả tiền. Không quét mã QR người lạ gửi qua mạng để “nhận tiền” "
                        "hay “nhận quà”.",
                    ),
                ),
                (
                    "Giữ an toàn mã OTP và mật khẩu",
                    4,
                    page(
                        "Mã OTP là mã dùng một lần mà ngân hàng gửi để xác nhận giao dịch do chính bạn thực hiện.",
                        [
                            "Ngân hàng, công an, cán bộ xã không bao giờ hỏi mã OTP, mật khẩu hay mã PIN.",
                            "Đọc hết tin nhắn OTP: nó ghi rõ giao dịch gì, bao nhiêu tiền.",
                            "Không cài ứng dụng lạ theo đường link được gửi tới, không cho người khác điều khiển "
                            "điện thoại từ xa.",
                            "Lỡ đưa mã OTP: gọi ngay tổng đài ghi ở mặt sau thẻ hoặc trên trang chính thức của "
                            "ngân hàng để khóa tài khoản.",
                        ],
                        "Ai hỏi mã OTP của bạn đều là kẻ lừa đảo, dù họ biết tên và số căn cước của bạn.",
                    ),
                ),
            ],
        ),
    ],
    "an-toan-thong-tin-co-ban": [
        (
            "Phần 1. Nhận biết lừa đảo",
            [
                (
                    "Những thủ đoạn lừa đảo thường gặp",
                    6,
                    page(
                        "Kẻ lừa đảo thường tạo ra sự <strong>sợ hãi</strong> hoặc <strong>lòng tham</strong> để "
                        "người nghe làm theo thật nhanh, không kịp hỏi ai.",
                        [
                            "Giả công an, tòa án: báo bạn liên quan vụ án, đòi chuyển tiền “để xác minh”.",
                            "Giả cán bộ, nhân viên điện lực, nhà mạng: đòi “cập nhật thông tin” qua đường link.",
                            "Báo người thân cấp cứu, bị tai nạn, cần chuyển tiền gấp.",
                            "Việc nhẹ lương cao, làm nhiệm vụ thả tim, đầu tư lãi cao: đầu tiên trả ít tiền để tạo "
                            "lòng tin.",
                            "Báo trúng thưởng, nhận quà, hoàn tiền: đòi đóng phí trước.",
                        ],
                        "Cơ quan nhà nước không làm việc qua điện thoại, không yêu cầu chuyển tiền vào tài khoản "
                        "cá nhân.",
                    ),
                ),
                (
                    "Nhận biết đường link và trang web giả",
                    5,
                    page(
                        "Trang web giả được làm giống hệt trang thật để lấy tài khoản và mã OTP.",
                        [
                            "Trang của cơ quan nhà nước có đuôi <strong>.gov.vn</strong>; trang giả hay dùng đuôi "
                            "lạ như .com, .cc, .top hoặc thêm chữ, thêm dấu gạch.",
                            "Đường link gửi qua tin nhắn, Zalo, Facebook mời “cập nhật”, “nhận quà” là đáng ngờ.",
                            "Không cài tệp có đuôi .apk được gửi tới: đó có thể là phần mềm chiếm điện thoại.",
                            "Tra cứu trang tin cậy tại tinnhiemmang.vn; xem cảnh báo tại canhbao.khonggianmang.gov.vn.",
                        ],
                        "Khi nghi ngờ, tự gõ địa chỉ trang chính thức thay vì bấm vào đường link được gửi.",
                    ),
                ),
            ],
        ),
        (
            "Phần 2. Tự bảo vệ",
            [
                (
                    "Mật khẩu mạnh và xác thực hai lớp",
                    5,
                    page(
                        "Mỗi tài khoản quan trọng (ngân hàng, Zalo, thư điện tử, VNeID) cần một lớp khóa chắc chắn.",
                        [
                            "Mật khẩu dài từ 8 ký tự, có chữ hoa, chữ thường, số, ký hiệu; không dùng ngày sinh, "
                            "số điện thoại.",
                            "Mỗi tài khoản một mật khẩu khác nhau.",
                            "Bật xác thực hai lớp: đăng nhập ở máy lạ phải có thêm mã gửi về điện thoại.",
                            "Cập nhật điện thoại và ứng dụng khi có bản mới; chỉ cài ứng dụng từ cửa hàng chính thức.",
                        ],
                        "Không chụp ảnh mật khẩu hay căn cước để trong máy rồi gửi cho người lạ.",
                    ),
                ),
                (
                    "Lỡ bị lừa: làm gì ngay",
                    4,
                    page(
                        "Càng báo sớm, càng có cơ hội giữ lại tiền.",
                        [
                            "Gọi ngay tổng đài ngân hàng để khóa tài khoản, thẻ và dừng giao dịch.",
                            "Đổi mật khẩu các tài khoản, đăng xuất khỏi các máy lạ.",
                            "Báo công an xã, mang theo ảnh chụp tin nhắn, số điện thoại, số tài khoản kẻ gian.",
                            "Báo tin nhắn rác, cuộc gọi lừa đảo tới đầu số 5656; báo trang lừa đảo tại "
                            "canhbao.khonggianmang.gov.vn.",
                            "Kể lại cho người thân, hàng xóm để họ không bị lừa theo cách đó.",
                        ],
                        "Không tin người “hỗ trợ lấy lại tiền” tìm đến bạn trên mạng: đó thường là lừa đảo lần hai.",
                    ),
                ),
            ],
        ),
    ],
}
