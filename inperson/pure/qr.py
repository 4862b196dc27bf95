"""The QR image of a check-in code: SVG squares on a white ground, as a data: URI an <img> can show.

A data: image is allowed by the Content-Security-Policy (img-src 'self' data:), needs no request of
its own, and can be swapped by the page's script every 30 seconds with the code it fetched.
"""

import base64

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """Return an SVG document of the QR code of `data`, one unit per module, with a 4-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return image.to_string(encoding="unicode")


def qr_data_uri(data: str) -> str:
    """Return the QR code of `data` as a data:image/svg+xml URI."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(data).encode()).decode()
