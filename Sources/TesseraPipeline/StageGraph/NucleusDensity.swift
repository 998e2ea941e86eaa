import TesseraCore
import TesseraHeatmap
import TesseraSlide
import TesseraStore

/// The nuclei density grid of a slide run (issue 27): square cells over the slide, each with its tissue area from
/// the plan's tissue mask (the mask a nucleus's in_tissue and the slide's tissue_mm2 come from); the store counts the
/// nuclei into the cells (`ResultsStore.recordNucleusDensity`).
enum NucleusDensity {
    /// The cells' side. 100 µm (0.01 mm²) holds 30-60 nuclei of tissue at the densities of the real slides in
    /// BENCHMARKS.md, so one nucleus more or less moves a cell's density by 2-3%; a 50 µm cell holds a quarter of
    /// that and reads as noise. Hot spots of a few hundred µm (a field of view) still show as several cells.
    static let cellMicrons = 100.0

    /// Per cell with tissue, its tissue area in µm²: the mask's tissue share of the cell (partial mask pixels by the
    /// area they share) times the cell's area inside the slide. Without a mask the whole slide is tissue.
    static func tissue(mask: TissueMask?, slideWidth: Int, slideHeight: Int, mppX: Double, mppY: Double,
                       cellMicrons: Double = cellMicrons) -> [DensityCellTissue] {
        guard mppX > 0, mppY > 0, slideWidth > 0, slideHeight > 0 else { return [] }
        let side = cellMicrons / mppX
        let columns = Int((Double(slideWidth) / side).rounded(.up)), rows = Int((Double(slideHeight) / side).rounded(.up))
        let slide = PixelRect(x: 0, y: 0, width: slideWidth, height: slideHeight)
        func edge(_ index: Int) -> Int { Int((Double(index) * side).rounded(.down)) }
        var cells: [DensityCellTissue] = []
        for row in 0..<rows {
            for column in 0..<columns {
                let cell = PixelRect(x: edge(column), y: edge(row), width: edge(column + 1) - edge(column),
                                     height: edge(row + 1) - edge(row)).intersection(slide)
                if cell.isEmpty { continue }
                let tissuePixels = Double(cell.area) * (mask?.fraction(in: cell) ?? 1)
                if tissuePixels > 0 {
                    cells.append(DensityCellTissue(cellX: column, cellY: row, tissueMicrons2: tissuePixels * mppX * mppY))
                }
            }
        }
        return cells
    }

    /// The grid as an image, one pixel per cell: nuclei per mm² of tissue where the view gives a density, NaN
    /// elsewhere.
    static func map(_ grid: NucleusDensityGrid, slideWidth: Int, slideHeight: Int) -> NucleusDensityMap {
        let size = grid.size(slideWidth: slideWidth, slideHeight: slideHeight)
        var map = NucleusDensityMap(width: size.columns, height: size.rows)
        for cell in grid.cells where cell.cellX < size.columns && cell.cellY < size.rows {
            if let density = cell.nucleiPerMM2Tissue { map[cell.cellX, cell.cellY] = Float(density) }
        }
        return map
    }
}
