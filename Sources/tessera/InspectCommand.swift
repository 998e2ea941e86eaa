import ArgumentParser
import Foundation
import TesseraSlide

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a slide's vendor, pyramid levels, resolution, objective, quickhash and associated images.")

    @Argument(help: "Slide files (anything OpenSlide 3.4 opens).")
    var slides: [String]

    @Flag(help: "Print JSON (an array, one object per slide, every property included).")
    var json = false

    @Flag(help: "List every OpenSlide property (text output).")
    var properties = false

    func run() throws {
        var descriptions: [SlideDescription] = []
        var failures = 0
        for path in slides {
            do {
                let slide = try Slide(contentsOf: URL(fileURLWithPath: path))
                descriptions.append(SlideDescription(slide))
                if !json { print(text(for: slide)) }
            } catch let error as SlideError {
                failures += 1
                SlideCommandOutput.printError("error: \(error)")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(descriptions), as: UTF8.self))
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func text(for slide: Slide) -> String {
        var lines = ["\(slide.url.path)"]
        lines.append("  vendor: \(slide.vendor ?? "unknown")")
        lines.append("  size: \(slide.width) x \(slide.height) px (level 0)")
        for (index, level) in slide.levels.enumerated() {
            lines.append(String(format: "  level %d: %d x %d, downsample %.5g", index, level.width, level.height,
                                level.downsample))
        }
        if let mpp = slide.micronsPerPixel {
            lines.append(String(format: "  resolution: %.6g x %.6g µm/px", mpp.x, mpp.y))
        } else {
            lines.append("  resolution: not in the file (give --slide-mpp to plan or run)")
        }
        lines.append("  objective power: \(slide.objectivePower.map { String(format: "%g", $0) } ?? "not in the file")")
        lines.append("  quickhash: \(slide.quickhash ?? "none")")
        let associated = slide.associatedImageNames.map { name in
            let size = slide.associatedImageSizes[name]
            return "\(name) (\(size?.width ?? 0) x \(size?.height ?? 0))"
        }
        lines.append("  associated images: \(associated.isEmpty ? "none" : associated.joined(separator: ", "))")
        if properties {
            lines.append("  properties:")
            for key in slide.properties.keys.sorted() { lines.append("    \(key) = \(slide.properties[key]!)") }
        } else {
            lines.append("  properties: \(slide.properties.count) (--properties lists them)")
        }
        return lines.joined(separator: "\n")
    }
}

/// stderr for the slide commands (a namespace, so other command files may keep helpers of their own).
enum SlideCommandOutput {
    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
