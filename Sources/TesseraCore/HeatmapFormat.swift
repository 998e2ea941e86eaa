/// How a run writes its heatmap files (`tessera run --heatmap-format`, a pipeline's `outputs.heatmap_format`).
public enum HeatmapFormat: String, Sendable, Equatable, CaseIterable, Codable {
    /// Pyramidal tiled TIFF, levels in the main IFD chain, a one-line JSON ImageDescription: what OpenSlide's
    /// generic-tiff reader, vips and libtiff open as a pyramid. The default.
    case tiff
    /// OME-TIFF: reduced levels as SubIFDs, an OME-XML ImageDescription with physical pixel sizes, channel names
    /// and Tessera's provenance; the class map carries a palette of the class colours, the overlay is RGB on white.
    /// What QuPath (Bio-Formats) opens as a pyramid.
    case omeTIFF = "ome-tiff"

    /// The file-name ending: `.tif`, or `.ome.tif` (the suffix Bio-Formats and QuPath recognise OME-TIFF by).
    public var fileExtension: String {
        switch self {
        case .tiff: ".tif"
        case .omeTIFF: ".ome.tif"
        }
    }
}
