import Foundation
import Hummingbird

/// The viewer's static files (pages, scripts, styles, the vendored OpenSeadragon), held in memory by path. They
/// come from the binary itself (`EmbeddedViewerFiles`, which the TesseraEmbeddedFiles build-tool plugin generates
/// from Sources/TesseraServe/Viewer/ at build time), never from the file system, so no URL can name a file.
struct ViewerAssets: Sendable {
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var contentType: String
    }

    struct DecodingError: Error, CustomStringConvertible {
        var path: String
        var description: String { "the embedded viewer file \(path) is not valid base64 (a bug in scripts/generate-embedded-files)" }
    }

    private let files: [String: Asset]

    static func embedded() throws -> ViewerAssets {
        var files: [String: Asset] = [:]
        for (path, base64) in EmbeddedViewerFiles.files {
            guard let data = Data(base64Encoded: base64, options: .ignoreUnknownCharacters) else {
                throw DecodingError(path: path)
            }
            files[path] = Asset(bytes: ByteBuffer(bytes: data), contentType: contentType(path))
        }
        return ViewerAssets(files: files)
    }

    func contains(_ path: String) -> Bool { files[path] != nil }

    func data(_ path: String) -> Data? { files[path].map { Data($0.bytes.readableBytesView) } }

    func response(for path: String, cacheable: Bool) -> Response {
        guard let asset = files[path] else { return Response(status: .notFound) }
        return SlideViewer.response(asset.bytes, contentType: asset.contentType, cacheable: cacheable)
    }

    static func contentType(_ path: String) -> String {
        switch URL(fileURLWithPath: path).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        default: "text/plain; charset=utf-8"
        }
    }
}
