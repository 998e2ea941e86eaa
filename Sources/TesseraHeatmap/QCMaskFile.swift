import Foundation
import TesseraCore

/// The slide QC's artefact map as a file: `<slide>.sr<N>.qc.tif`, one uint8 pixel per QC pixel (2 µm by default)
/// over the whole slide, written with the heatmap writer (pyramidal, the run's resolution tags and provenance).
///
/// A pixel's value has bit k (value 2^k) set where the k-th artefact kind of the file's description (its
/// `classes`) was flagged; 0 is no artefact. With the standard checks: pen 1, blur 2, fold 4, bubble_edge 8, so a
/// pixel under pen and a fold is 5. Bits rather than one value per pixel because the kinds overlap (ink on a fold),
/// and each kind's area must come back exactly as the QC measured it.
public enum QCMaskFile {
    /// A uint8 holds eight kinds.
    public static let maximumKinds = 8

    /// What the description's `values` key says.
    static let valuesDescription = "bit k (value 2^k) set where artefact kind classes[k] was flagged; 0: none"

    /// The colour each standard kind is drawn in (viewer, QuPath classes, the OME-TIFF palette); other kinds grey.
    public static func colour(of kind: String) -> ClassColour {
        switch kind {
        case "pen": (0x1f, 0x4e, 0xd8)          // ink blue
        case "blur": (0xe0, 0x8a, 0x00)         // amber
        case "fold": (0xb0, 0x1e, 0x8e)         // magenta
        case "bubble_edge": (0x00, 0xa5, 0xa5)  // teal
        default: (0x80, 0x80, 0x80)
        }
    }

    /// The kind a person reads ("bubble_edge" -> "Bubble edge").
    public static func title(of kind: String) -> String {
        let words = kind.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }

    /// Whether `value` flags the kind at `index`.
    @inline(__always)
    public static func flags(_ value: UInt8, kindIndex index: Int) -> Bool { value & (1 << UInt8(index)) != 0 }

    /// The colour of a value: its lowest kind's (white for 0, as a TIFF palette wants).
    static func palette(kinds: [String]) -> [ClassColour] {
        (0..<256).map { value in
            guard value != 0, let lowest = kinds.indices.first(where: { flags(UInt8(value), kindIndex: $0) }) else {
                return (255, 255, 255)
            }
            return colour(of: kinds[lowest])
        }
    }

    /// Writes the map to `url` (its folder is created): majority-downsampled levels, the kinds as the description's
    /// classes, a palette in OME-TIFF (so QuPath shows the kinds' colours).
    /// - Throws: `HeatmapError` naming `url`.
    public static func write(_ map: some HeatmapRaster, kinds: [String], to url: URL, slideName: String,
                             downsample: Double, micronsPerPixelX: Double?, micronsPerPixelY: Double?,
                             micronsPerPixelSource: String?, provenance: HeatmapProvenance?,
                             format: HeatmapFormat = .tiff) throws {
        guard map.channels == 1, !kinds.isEmpty, kinds.count <= maximumKinds else {
            throw HeatmapError(kind: .invalidInput, path: url.path,
                               message: "a QC map needs 1 channel and 1 to \(maximumKinds) kinds, not \(map.channels) "
                                   + "channels and \(kinds.count) kinds")
        }
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw HeatmapError(kind: .outputDirectoryMissing, path: directory.path,
                               message: "cannot create the heatmap directory: \(SystemErrorText.describe(error))")
        }
        let description = HeatmapDescription(
            slideName: slideName, kind: .qcMask, downsample: downsample, micronsPerPixelX: micronsPerPixelX,
            micronsPerPixelY: micronsPerPixelY, micronsPerPixelSource: micronsPerPixelSource, classNames: kinds,
            provenance: provenance)
        try HeatmapWriter.write(map, to: url, description: description, downsampling: .majority, format: format,
                                palette: format == .omeTIFF ? palette(kinds: kinds) : nil)
    }
}
