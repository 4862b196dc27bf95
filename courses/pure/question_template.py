"""The question spreadsheet's template: its header and three examples, as XLSX and as CSV. Pure."""

import csv
import io

from courses.pure.question_rules import KIND_LABELS, MULTIPLE, SINGLE, TRUE_FALSE
from courses.pure.question_sheet import (
    COLUMN_CHOICES,
    COLUMN_CORRECT,
    COLUMN_EXPLANATION,
    COLUMN_KIND,
    COLUMN_TAGS,
    COLUMN_TEXT,
    COLUMNS,
)

EXAMPLES = (
    {
        COLUMN_TEXT: "Khi nhận được tin nhắn yêu cầu cung cấp mã OTP để “nhận quà”, bạn nên làm gì?",
        COLUMN_KIND: KIND_LABELS[SINGLE],
        COLUMN_CHOICES[0]: "Gửi mã OTP ngay để nhận quà",
        COLUMN_CHOICES[1]: "Không cung cấp mã OTP cho bất kỳ ai",
        COLUMN_CHOICES[2]: "Gọi lại cho số điện thoại trong tin nhắn",
        COLUMN_CHOICES[3]: "Chuyển tiếp tin nhắn cho người thân",
        COLUMN_CORRECT: "B",
        COLUMN_EXPLANATION: "Mã OTP chỉ dành cho bạn. Ngân hàng và cơ quan nhà nước không bao giờ hỏi mã OTP.",
        COLUMN_TAGS: "An toàn thông tin",
    },
    {
        COLUMN_TEXT: "Những giấy tờ nào có thể dùng trên ứng dụng VNeID thay cho bản giấy?",
        COLUMN_KIND: KIND_LABELS[MULTIPLE],
        COLUMN_CHOICES[0]: "Căn cước",
        COLUMN_CHOICES[1]: "Giấy phép lái xe",
        COLUMN_CHOICES[2]: "Thẻ bảo hiểm y tế",
        COLUMN_CHOICES[3]: "Vé xem phim",
        COLUMN_CORRECT: "A, B, C",
        COLUMN_EXPLANATION: "Căn cước, giấy phép lái xe và thẻ bảo hiểm y tế được tích hợp trên VNeID.",
        COLUMN_TAGS: "Dịch vụ công; VNeID",
    },
    {
        COLUMN_TEXT: "Có thể nộp hồ sơ đăng ký khai sinh trực tuyến trên Cổng Dịch vụ công quốc gia.",
        COLUMN_KIND: KIND_LABELS[TRUE_FALSE],
        COLUMN_CHOICES[0]: "Đúng",
        COLUMN_CHOICES[1]: "Sai",
        COLUMN_CORRECT: "A",
        COLUMN_EXPLANATION: "Đăng ký khai sinh là một thủ tục liên thông trực tuyến.",
        COLUMN_TAGS: "Dịch vụ công",
    },
)


def template_xlsx() -> bytes:
    """Return the Excel template: the header, three example questions, readable column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Câu hỏi"
    sheet.append(list(COLUMNS))
    for example in EXAMPLES:
        sheet.append([example.get(column, "") for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    widths = {COLUMN_TEXT: 60, COLUMN_KIND: 16, COLUMN_CORRECT: 14, COLUMN_EXPLANATION: 50, COLUMN_TAGS: 24}
    for index, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = widths.get(column, 28)
        for cell in sheet[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    """Return the CSV template in UTF-8 with a byte-order mark, so Excel shows its Vietnamese."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for example in EXAMPLES:
        writer.writerow([example.get(column, "") for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
