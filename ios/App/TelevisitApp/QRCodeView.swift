import SwiftUI
import TelevisitCore

/// Paints the core's QR code (`qrCode(text:)`) module by module, black on white, with the quiet
/// zone the standard asks for. The encoder is the core's, the same as Android's and the
/// desktop's; this only paints.
struct QRCodeView: View {
    /// Light modules on each side, so that a camera finds the code.
    static let quietZone = 4

    let code: QrCode
    let label: String

    var body: some View {
        Canvas { context, size in
            let width = Int(code.width)
            let modules = width + 2 * QRCodeView.quietZone
            let side = min(size.width, size.height)
            let module = side / CGFloat(modules)
            context.fill(Path(CGRect(x: 0, y: 0, width: side, height: side)), with: .color(.white))
            var dark = Path()
            for y in 0 ..< width {
                for x in 0 ..< width where code.dark[y * width + x] {
                    let origin = CGPoint(
                        x: CGFloat(x + QRCodeView.quietZone) * module,
                        y: CGFloat(y + QRCodeView.quietZone) * module
                    )
                    dark.addRect(CGRect(origin: origin, size: CGSize(width: module, height: module)))
                }
            }
            context.fill(dark, with: .color(.black))
        }
        .aspectRatio(1, contentMode: .fit)
        .frame(maxWidth: 320)
        .accessibilityLabel(label)
    }
}
