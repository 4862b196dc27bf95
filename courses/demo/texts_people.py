"""The demo's text lessons for the courses people and digital teams take: services, shopping, platforms, first steps.

Written the way a commune trainer explains it at the cultural house: short steps, real addresses,
one thing to remember. Each course maps to its modules, each module to (title, minutes, HTML).
"""

from courses.demo.texts_html import lesson_html as page

PEOPLE_TEXT_MODULES = {
    "dich-vu-cong-truc-tuyen": [
        (
            "Phần 2. Thực hành",
            [
                (
                    "Ví dụ: đăng ký khai sinh cho con trên điện thoại",
                    6,
                    page(
                        "Đăng ký khai sinh là thủ tục nhiều gia đình cần nhất. Thủ tục liên thông khai sinh, "
                        "thường trú và thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi làm được hoàn toàn trực tuyến.",
                        [
                            "Đăng nhập Cổng Dịch vụ công quốc gia (dichvucong.gov.vn) hoặc ứng dụng VNeID bằng "
                            "tài khoản định danh điện tử mức độ 2 của cha hoặc mẹ.",
                            "Chọn “Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, "
                            "cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi”.",
                            "Chụp rõ Giấy chứng sinh của bệnh viện và đính kèm; kiểm tra kỹ họ tên, ngày sinh.",
                            "Chọn nhận kết quả bản điện tử hoặc qua bưu điện, rồi bấm Nộp hồ sơ.",
                            "Ghi lại mã hồ sơ để tra cứu; Ủy ban nhân dân xã sẽ nhắn tin khi có kết quả.",
                        ],
                        "Hồ sơ thiếu ảnh rõ nét là lý do bị trả lại nhiều nhất: chụp giấy tờ ở nơi đủ sáng, "
                        "đặt trên mặt bàn phẳng.",
                    ),
                ),
            ],
        ),
    ],
    "mua-sam-truc-tuyen": [
        (
            "Phần 1. Mua hàng trên sàn",
            [
                (
                    "Chọn sàn và người bán uy tín",
                    5,
                    page(
                        "Mua trên sàn thương mại điện tử an toàn hơn mua qua tin nhắn mạng xã hội, vì sàn giữ tiền "
                        "đến khi bạn nhận hàng.",
                        [
                            "Dùng sàn quen thuộc: Postmart (Bưu điện), Voso (Viettel), Shopee, Lazada, Tiki.",
                            "Xem số lượt bán, điểm đánh giá và ảnh thật người mua đăng lên.",
                            "So giá với vài người bán: rẻ bất thường so với giá chợ thường là hàng giả.",
                            "Luôn đặt hàng và trả tiền trong ứng dụng, không chuyển khoản riêng theo lời người bán.",
                        ],
                        "Chọn “thanh toán khi nhận hàng” nếu chưa quen, và mở kiểm tra hàng trước mặt người giao.",
                    ),
                ),
                (
                    "Nhận hàng, đổi trả và khiếu nại",
                    4,
                    page(
                        "Sàn có quy định đổi trả; người mua cần giữ bằng chứng.",
                        [
                            "Quay video lúc mở gói hàng, nhất là với đồ điện tử.",
                            "Hàng sai, hỏng: bấm “Trả hàng/Hoàn tiền” trong đơn hàng trong thời hạn sàn cho phép.",
                            "Chỉ bấm “Đã nhận hàng” khi hàng đúng như mô tả.",
                            "Cuộc gọi báo “đơn hàng lỗi, bấm link để hoàn tiền” là lừa đảo: sàn hoàn tiền trong "
                            "ứng dụng.",
                        ],
                        "Giữ mọi trao đổi trong ứng dụng của sàn để sàn xử lý khi có tranh chấp.",
                    ),
                ),
            ],
        ),
        (
            "Phần 2. Bán hàng trên sàn",
            [
                (
                    "Mở gian hàng cho hộ sản xuất",
                    6,
                    page(
                        "Hộ sản xuất, hợp tác xã có thể bán nông sản, đặc sản trên sàn mà không cần cửa hàng.",
                        [
                            "Đăng ký gian hàng bằng số điện thoại và căn cước; hộ kinh doanh khai mã số thuế.",
                            "Mỗi sản phẩm có tên rõ, giá, khối lượng, nơi sản xuất, hạn dùng.",
                            "Chụp ảnh ban ngày, nền sạch, chụp cả bao bì và nhãn.",
                            "Bưu điện xã nhận đóng gói và giao hàng; tiền thu hộ về tài khoản của hộ.",
                            "Trả lời tin nhắn của khách trong ngày để giữ điểm đánh giá.",
                        ],
                        "Tổ công nghệ số cộng đồng có thể ngồi cùng hộ dân đăng sản phẩm đầu tiên.",
                    ),
                ),
            ],
        ),
    ],
    "nen-tang-so-dia-phuong": [
        (
            "Phần 1. Nền tảng số của tỉnh",
            [
                (
                    "Cài đặt và đăng nhập ứng dụng công dân số",
                    5,
                    page(
                        "Nhiều tỉnh, thành phố có ứng dụng công dân số riêng để người dân nhận thông báo, "
                        "gửi phản ánh và tra cứu hồ sơ.",
                        [
                            "Hỏi Ủy ban nhân dân xã hoặc Tổ công nghệ số cộng đồng tên ứng dụng của tỉnh.",
                            "Tải từ CH Play hoặc App Store; nhà phát triển là cơ quan của tỉnh.",
                            "Đăng nhập bằng tài khoản VNeID nếu ứng dụng hỗ trợ, không phải tạo mật khẩu mới.",
                            "Bật thông báo để nhận tin lịch tiêm chủng, mất điện, thiên tai của địa phương.",
                        ],
                        "Tổ công nghệ số có thể cài giúp cho cả gia đình trong một buổi đến nhà.",
                    ),
                ),
                (
                    "Gửi phản ánh hiện trường đúng cách",
                    4,
                    page(
                        "Phản ánh hiện trường giúp chính quyền biết và xử lý việc như đèn đường hỏng, rác thải, "
                        "đường sạt lở.",
                        [
                            "Chụp một hai ảnh rõ, thấy được nơi xảy ra.",
                            "Bật định vị để phản ánh có vị trí chính xác.",
                            "Viết ngắn: việc gì, ở đâu, từ bao giờ.",
                            "Theo dõi trạng thái xử lý và đánh giá kết quả khi được trả lời.",
                        ],
                        "Phản ánh đúng sự thật, lời lẽ lịch sự; việc khẩn cấp thì gọi 113, 114, 115.",
                    ),
                ),
            ],
        ),
    ],
    "chuyen-doi-so-co-ban": [
        (
            "Phần 1. Làm quen",
            [
                (
                    "Chuyển đổi số là gì?",
                    4,
                    page(
                        "Chuyển đổi số là dùng điện thoại, máy tính và Internet để làm những việc hằng ngày "
                        "nhanh hơn, rẻ hơn, minh bạch hơn.",
                        [
                            "Nộp hồ sơ, xin giấy tờ qua mạng thay vì đi lại nhiều lần.",
                            "Trả tiền điện, nước, học phí bằng điện thoại.",
                            "Bán nông sản trên sàn thương mại điện tử, xa mấy cũng đến được khách.",
                            "Khám bệnh từ xa, xem sổ sức khỏe điện tử trên VNeID.",
                        ],
                        "Chuyển đổi số không phải chuyện của riêng người trẻ: ai có điện thoại thông minh cũng "
                        "bắt đầu được.",
                    ),
                ),
                (
                    "Gia đình bắt đầu từ đâu",
                    4,
                    page(
                        "Bắt đầu từ ba việc nhỏ, mỗi tuần một việc.",
                        [
                            "Kích hoạt tài khoản định danh điện tử VNeID cho từng người lớn trong nhà.",
                            "Mở một tài khoản thanh toán và trả thử hóa đơn tiền điện.",
                            "Học cách nhận biết tin nhắn lừa đảo cùng cả nhà.",
                        ],
                        "Cần giúp đỡ, hãy hỏi Tổ công nghệ số cộng đồng ở thôn, tổ dân phố.",
                    ),
                ),
            ],
        ),
    ],
    "ky-nang-so-co-ban-dien-thoai": [
        (
            "Phần 1. Làm quen với điện thoại",
            [
                (
                    "Kết nối Wi-Fi và cài ứng dụng",
                    5,
                    page(
                        "Điện thoại thông minh dùng Wi-Fi ở nhà để đỡ tốn tiền 4G.",
                        [
                            "Vào Cài đặt, chọn Wi-Fi, bấm tên mạng nhà mình, nhập mật khẩu ghi trên cục phát.",
                            "Cài ứng dụng từ CH Play (Android) hoặc App Store (iPhone), không cài từ đường link lạ.",
                            "Phóng to chữ: Cài đặt, Màn hình, Cỡ chữ.",
                            "Nhờ con cháu lưu sẵn số của người thân vào danh bạ kèm ảnh.",
                        ],
                        "Điện thoại hỏi quyền đọc tin nhắn, danh bạ cho một ứng dụng không liên quan: bấm Từ chối.",
                    ),
                ),
                (
                    "Gọi video và tìm thông tin tin cậy",
                    5,
                    page(
                        "Gọi video giúp ông bà thấy con cháu ở xa; tìm kiếm giúp tra giá, thời tiết, lịch tiêm.",
                        [
                            "Mở Zalo, chọn người cần gọi, bấm biểu tượng máy quay.",
                            "Tin tức nên đọc ở báo chính thống và trang của cơ quan nhà nước có đuôi .gov.vn.",
                            "Tin giật gân chưa rõ nguồn thì không chia sẻ tiếp.",
                            "Người quen nhắn vay tiền: gọi video hoặc gọi điện thoại để hỏi lại trước khi chuyển.",
                        ],
                        "Kẻ gian có thể giả giọng và giả mặt người quen trong cuộc gọi video ngắn; hỏi một chuyện "
                        "chỉ người nhà mới biết.",
                    ),
                ),
            ],
        ),
    ],
    "to-cong-nghe-so-cong-dong": [
        (
            "Phần 1. Đi từng ngõ, gõ từng nhà",
            [
                (
                    "Chuẩn bị trước buổi hướng dẫn",
                    5,
                    page(
                        "Một buổi hướng dẫn tốt bắt đầu từ chuẩn bị ở nhà văn hóa thôn.",
                        [
                            "Hẹn trước với trưởng thôn, chọn giờ người dân rảnh, thông báo trên loa và nhóm Zalo.",
                            "Mang theo danh sách hộ cần hỗ trợ, bộ phát Wi-Fi, sạc dự phòng.",
                            "Mỗi buổi chỉ một việc: kích hoạt VNeID, hoặc mở tài khoản, hoặc nộp một thủ tục.",
                            "In sẵn tờ hướng dẫn các bước bằng chữ to.",
                        ],
                        "Đi theo cặp: một người hướng dẫn, một người ghi nhận kết quả.",
                    ),
                ),
                (
                    "Hướng dẫn người cao tuổi",
                    5,
                    page(
                        "Người cao tuổi học nhanh khi được tự tay làm và không bị vội.",
                        [
                            "Để người dân tự bấm trên máy của họ; mình chỉ nói và chỉ tay.",
                            "Nói từng bước, chờ làm xong mới sang bước sau; dùng từ quen thuộc.",
                            "Không hỏi, không ghi lại mật khẩu hay mã OTP của người dân.",
                            "Trước khi về, để họ tự làm lại một lần từ đầu.",
                        ],
                        "Giữ sự tin tưởng của bà con: mọi việc liên quan đến tiền, để chủ tài khoản tự xác nhận.",
                    ),
                ),
                (
                    "Ghi nhận kết quả hỗ trợ",
                    3,
                    page(
                        "Kết quả được ghi lại giúp xã biết còn bao nhiêu hộ cần hỗ trợ.",
                        [
                            "Ghi hộ, việc đã hỗ trợ, ngày, người hỗ trợ.",
                            "Đánh dấu hộ cần quay lại lần sau và lý do.",
                            "Gửi tổng hợp cho Ủy ban nhân dân xã theo tuần hoặc tháng.",
                        ],
                        "Không ghi số căn cước hay thông tin tài khoản của người dân vào sổ theo dõi.",
                    ),
                ),
            ],
        ),
    ],
    "dich-vu-cong-hue": [
        (
            "Phần 1. Dịch vụ số ở Huế",
            [
                (
                    "Làm quen với ứng dụng Hue-S",
                    5,
                    page(
                        "Hue-S là ứng dụng đô thị thông minh của Thành phố Huế, nơi người dân phản ánh, "
                        "tra cứu và nhận thông tin của chính quyền.",
                        [
                            "Tải Hue-S từ CH Play hoặc App Store và đăng nhập bằng số điện thoại hoặc VNeID.",
                            "Gửi phản ánh hiện trường kèm ảnh và vị trí; theo dõi kết quả xử lý.",
                            "Xem thông tin du lịch, thời tiết, cảnh báo mưa lũ của thành phố.",
                        ],
                        "Mùa mưa lũ, bật thông báo của Hue-S để nhận cảnh báo sớm.",
                    ),
                ),
                (
                    "Nộp hồ sơ trực tuyến ở Huế",
                    5,
                    page(
                        "Người dân Huế nộp hồ sơ trên Cổng Dịch vụ công quốc gia; thành phố nhận và trả kết quả.",
                        [
                            "Đăng nhập dichvucong.gov.vn bằng VNeID mức độ 2.",
                            "Chọn cơ quan thực hiện là Ủy ban nhân dân xã, phường nơi cư trú.",
                            "Đính kèm ảnh giấy tờ, chọn cách nhận kết quả, nộp hồ sơ.",
                            "Tra cứu tiến độ bằng mã hồ sơ trên Cổng hoặc trên Hue-S.",
                        ],
                        "Bộ phận một cửa xã, phường có máy và cán bộ hỗ trợ nộp hồ sơ trực tuyến tại chỗ.",
                    ),
                ),
            ],
        ),
    ],
    "thuong-mai-dien-tu-nong-san-dong-thap": [
        (
            "Phần 1. Đưa sản phẩm lên sàn",
            [
                (
                    "Chụp ảnh và viết mô tả sản phẩm",
                    5,
                    page(
                        "Ảnh đẹp và mô tả thật là điều khách hàng xem đầu tiên: xoài, sen, khô cá, bánh phồng.",
                        [
                            "Chụp dưới ánh sáng ban ngày, nền đơn giản, có ảnh cận và ảnh cả thùng hàng.",
                            "Ghi rõ giống, vùng trồng, khối lượng, cách bảo quản, thời gian giao.",
                            "Nêu chứng nhận nếu có: OCOP, VietGAP, mã vùng trồng.",
                            "Đặt giá đã tính phí đóng gói; ghi rõ giao tận nơi hay phí giao riêng.",
                        ],
                        "Mô tả đúng hàng thật: một đánh giá xấu vì hàng khác ảnh làm mất nhiều khách.",
                    ),
                ),
                (
                    "Nhận đơn và giao hàng qua bưu điện",
                    4,
                    page(
                        "Bưu điện tỉnh Đồng Tháp nhận hàng tại xã và giao khắp cả nước.",
                        [
                            "Xác nhận đơn trên sàn trong ngày, hẹn giờ bưu tá đến lấy hàng.",
                            "Đóng gói chắc chắn; hàng tươi lót đá khô, ghi “hàng dễ dập”.",
                            "Tiền thu hộ về tài khoản của hộ hoặc hợp tác xã, đối chiếu theo từng đơn.",
                        ],
                        "Giao đúng hẹn và trả lời khách nhanh giữ gian hàng của bạn ở đầu danh sách tìm kiếm.",
                    ),
                ),
            ],
        ),
    ],
}
