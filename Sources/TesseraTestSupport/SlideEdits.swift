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

    /// Writes `source`'s level 0 re-stained in CIELAB (`multiply` and `add` per L*, a*, b*) as a tiled generic TIFF
    /// at `destination`: another lab's stain, made from real tissue. States no resolution.
    public static func writeRestainedCopy(of source: URL, to destination: URL, multiply: [Double], add: [Double]) throws {
        guard let vips = ChildProcess.onPath("vips") else {
            throw Failure(description: "vips is not on PATH: install libvips-tools (.ci/run does)")
        }
        let scratch = try Fixtures.temporaryDirectory("restain")
        defer { try? FileManager.default.removeItem(at: scratch) }
        func file(_ name: String) -> String { scratch.appendingPathComponent(name).path }
        let numbers = { (values: [Double]) in values.map { String($0) }.joined(separator: " ") }
        for arguments in [["extract_band", source.path, file("rgb.v"), "0", "--n", "3"],
                          ["colourspace", file("rgb.v"), file("lab.v"), "lab"],
                          ["linear", file("lab.v"), file("shifted.v"), numbers(multiply), numbers(add)],
                          ["colourspace", file("shifted.v"), file("back.v"), "srgb"],
                          ["cast", file("back.v"), file("back8.v"), "uchar"],
                          ["tiffsave", file("back8.v"), destination.path, "--tile", "--pyramid", "--compression", "jpeg",
                           "--tile-width", "256", "--tile-height", "256"]] {
            let output = try ChildProcess.run(vips, arguments)
            guard output.status == 0 else {
                throw Failure(description: "vips \(arguments.joined(separator: " ")) failed (\(output.status)): \(output.stderr)")
            }
        }
    }
}
