import Foundation

/// Real slide files made from the fixtures with vips (libvips-tools), for tests that replace a slide at its path.
public enum SlideEdits {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Writes `source`'s level 0 mirrored left to right as a tiled, pyramidal, JPEG-compressed generic TIFF at
    /// `destination`: the same size, other content (a rescan, for the fingerprint), and a file that states no
    /// resolution (run it with --slide-mpp).
    public static func writeFlippedCopy(of source: URL, to destination: URL) throws {
        guard let vips = ChildProcess.onPath("vips") else {
            throw Failure(description: "vips is not on PATH: install libvips-tools (.ci/run does)")
        }
        let scratch = try Fixtures.temporaryDirectory("flip")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let flipped = scratch.appendingPathComponent("flipped.v").path
        let rgb = scratch.appendingPathComponent("rgb.v").path
        for arguments in [["flip", source.path, flipped, "horizontal"],
                          ["extract_band", flipped, rgb, "0", "--n", "3"],
                          ["tiffsave", rgb, destination.path, "--tile", "--pyramid", "--compression", "jpeg",
                           "--tile-width", "256", "--tile-height", "256"]] {
            let output = try ChildProcess.run(vips, arguments)
            guard output.status == 0 else {
                throw Failure(description: "vips \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
            }
        }
    }

    /// The SHA-256 of a file's bytes, as `sha256sum` prints it.
    public static func sha256(_ url: URL) throws -> String {
        guard let sha = ChildProcess.onPath("sha256sum") else { throw Failure(description: "no sha256sum on PATH") }
        let output = try ChildProcess.run(sha, [url.path])
        guard output.status == 0, let digest = output.stdout.split(separator: " ").first else {
            throw Failure(description: "sha256sum \(url.path) failed: \(output.stderr)")
        }
        return String(digest)
    }
}
