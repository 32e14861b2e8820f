import QRCode from 'qrcode';

/**
 * A QR code as an inline SVG document, made on the server so the page needs no script (our pages
 * run none: security-headers.ts). The SVG holds only rectangles drawn from the text's bits, so it
 * may be placed in a page unescaped.
 */
export function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
