import Foundation
import TesseraCore
import TesseraHeatmap
import TesseraStore

/// The slide QC's artefacts as QuPath annotations: traced from the slide run's QC map (`QCMaskFile`), one locked
/// annotation per connected region of each kind, classified `Ignore*: <Kind>` (`QuPathClassMap.qcClassification`).
extension GeoJSONExporter {
    /// The QC map the results file records for `slideRun`; nil when it has none (QC off, a run before the map
    /// existed) or `tessera prune` removed it.
    public func recordedQCMask(_ slideRun: StoredSlideRun) throws -> URL? {
        guard let artefact = try reader.artefacts(of: slideRun.slideRunID)
            .first(where: { $0.kind == .qcMask && $0.removedAt == nil }) else { return nil }
        let recorded = layout.resolve(artefact.path)
        return relocatedHeatmaps.map { $0.appendingPathComponent(recorded.lastPathComponent) } ?? recorded
    }

    /// Traces every kind of the QC map at `url` and writes each region as an annotation, its measurements the
    /// traced area (µm²) and the kind's bit value (the map's pixel value for that kind alone). No minimum area and
    /// no simplification: the annotations are the map's own pixels, so their areas are the QC's.
    func writeQCRegions(_ slideRun: StoredSlideRun, qcMask url: URL, mpp: (Double, Double), frame: QuPathFrame,
                        writer: inout FeatureStream, summary: inout SlideExportSummary) throws {
        let map: HeatmapFileReader
        do {
            map = try HeatmapFileReader(url: url)
        } catch {
            throw ExportError(.cannotRead, "cannot read the slide run's QC map: \(error)", path: url.path)
        }
        guard map.metadata.kind == "qc-mask", map.channels == 1, let downsample = map.metadata.downsample,
              downsample > 0, !map.metadata.classNames.isEmpty else {
            throw ExportError(.cannotRead, "not a Tessera QC map (kind \(map.metadata.kind ?? "none"))", path: url.path)
        }
        let kinds = Array(map.metadata.classNames.prefix(QCMaskFile.maximumKinds))
        let grid = HeatmapGrid(downsample: downsample, slideWidth: slideRun.slideWidth, slideHeight: slideRun.slideHeight)
        let pixelMicrons2 = mpp.0 * mpp.1
        var numbers = [Int](repeating: 0, count: kinds.count)
        var pending: [String] = []
        var figures = kinds.map { SlideExportSummary.QCFigures(kind: $0) }
        // One tracer per kind, each fed a row of 1 where the kind's bit is set: the kinds overlap, a class map
        // with one value per pixel could not hold them.
        let tracers = kinds.indices.map { k in
            RegionTracer(width: map.width, height: map.height, classes: [1]) { region in
                let polygon = grid.polygon(region)
                let areaMicrons2 = polygon.area * pixelMicrons2
                let number = numbers[k]
                numbers[k] += 1
                figures[k].regions += 1
                figures[k].areaMicrons2 += areaMicrons2
                pending.append(QuPathFeature.text(
                    id: StableIdentifier.uuid("\(slideRun.fingerprint)/\(slideRun.runUID)/qc/\(kinds[k])/\(number)"),
                    geometry: QuPathFeature.polygonGeometry(polygon, frame: frame), objectType: .annotation,
                    classification: QuPathClassMap.qcClassification(kind: kinds[k]),
                    measurements: [(QuPathMeasurement.area, areaMicrons2),
                                   (QuPathMeasurement.qcKindValue, Double(1 << k))]))
            }
        }
        // As for the class regions: on a slide with OpenSlide bounds, only map pixels wholly inside them.
        let inside = frame.source == .openslideBounds
            ? Self.mapPixels(whollyInside: frame.imageRect(slideWidth: slideRun.slideWidth, slideHeight: slideRun.slideHeight),
                             downsample: downsample) : nil
        let width = map.width
        let band = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: width * map.bandHeight)
        let row = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: width)
        defer { band.deallocate(); row.deallocate() }
        for bandIndex in 0..<map.bandCount {
            do {
                try map.readBand(bandIndex, into: band)
            } catch {
                throw ExportError(.cannotRead, "\(error)", path: url.path)
            }
            let rows = Swift.min(map.bandHeight, map.height - bandIndex * map.bandHeight)
            for y in 0..<rows {
                let mapY = bandIndex * map.bandHeight + y
                for (k, tracer) in tracers.enumerated() {
                    for x in 0..<width { row[x] = QCMaskFile.flags(band[y * width + x], kindIndex: k) ? 1 : 0 }
                    if let inside {
                        for x in 0..<width where !inside.rows.contains(mapY) || !inside.columns.contains(x) { row[x] = 0 }
                    }
                    try tracer.addRow(UnsafeBufferPointer(row))
                }
                for feature in pending { try writer.add(feature) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        for tracer in tracers { try tracer.finish() }
        for feature in pending { try writer.add(feature) }
        summary.qc = figures
    }
}
