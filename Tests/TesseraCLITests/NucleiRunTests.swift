import Foundation
import Testing
import TesseraCore
import TesseraHeatmap
import TesseraTestSupport

/// Nuclei as objects end to end (issue 27): `tessera run` of a real slide with the bundled model at its own
/// resolution counts nuclei into the results file, and the views, the run summary, `export nuclei --csv`, the GeoJSON
/// detections and `tessera merge` all give the same nuclei.
@Suite(.serialized) struct NucleiRunTests {
    let cmu = Fixtures.slide("CMU-1-Small-Region.svs").path

    func rows(_ database: String, _ sql: String) throws -> [[String]] {
        try TesseraCLI.csv(database, sql).split(separator: "\r\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func number(_ database: String, _ sql: String) throws -> Double {
        Double(try rows(database, sql).first?.first ?? "") ?? .nan
    }

    @Test func aRunCountsNucleiOnceAndEveryOutputAgrees() throws {
        let out = try Fixtures.temporaryDirectory("nuclei-run").path
        let database = out + "/results.sqlite"
        let run = try TesseraCLI.run(["run", cmu, "--out", out, "--geojson"])
        #expect(run.status == 0, "\(run.stderr)")

        let stored = try number(database, "SELECT COUNT(*) FROM nuclei")
        let inTissue = try number(database, "SELECT SUM(in_tissue) FROM nuclei")
        // The default run separates the probability alone (the haematoxylin refinement is opt-in) and records no
        // refinement key, as runs did before it existed.
        #expect(try rows(database, "SELECT json_extract(parameters_json, '$.nuclei.segmentation.markerDepth'), "
                         + "json_extract(parameters_json, '$.nuclei.segmentation.refinesWithHaematoxylin') IS NULL, "
                         + "json_extract(parameters_json, '$.nuclei.segmentation.corePercentile') IS NULL FROM runs")
                == [["1", "1", "1"]])
        // CMU's 1.1 x 1.5 mm of H&E holds thousands of nuclei at the model's 0.5 µm/px.
        #expect(stored > 1_000 && inTissue > 1_000 && inTissue <= stored)
        #expect(try number(database, "SELECT nucleus_class_index FROM runs") == 1)   // the bundled model's "nuclei"
        // Counted once: each centroid lies in its own tile's own window, and no two nuclei share a centroid.
        #expect(try number(database, """
            SELECT COUNT(*) FROM nuclei n JOIN tiles t ON t.slide_run_id = n.slide_run_id AND t.tile_index = n.tile_index
            WHERE n.x < t.x OR n.x >= t.x + t.width OR n.y < t.y OR n.y >= t.y + t.height
            """) == 0)
        #expect(try number(database, "SELECT COUNT(*) FROM (SELECT DISTINCT x, y FROM nuclei)") == stored)
        // The views count the nuclei in the tissue: per slide, and per region adding up to the slide's.
        let view = try rows(database, "SELECT nuclei, nuclei_per_mm2_tissue, tissue_mm2 FROM slide_nuclei")
        #expect(view.count == 1 && Double(view[0][0]) == inTissue)
        let perMM2 = Double(view.first?[1] ?? "") ?? 0, tissue = Double(view.first?[2] ?? "") ?? 0
        #expect(abs(perMM2 * tissue - inTissue) < 1e-6 * inTissue)
        let noRegion = try number(database, "SELECT COUNT(*) FROM nuclei WHERE in_tissue = 1 AND region_class_index IS NULL")
        #expect(try number(database, "SELECT SUM(nuclei) FROM slide_nuclei_by_region") == inTissue - noRegion)
        // Sizes are µm²: a nucleus is a few to a few hundred µm² (lymphocytes ~20, large tumour nuclei ~100).
        let median = try number(database, "SELECT area_um2 FROM nuclei ORDER BY area_um2 LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM nuclei)")
        #expect(median > 8 && median < 80, "median nucleus area \(median) µm²")
        // Each outline encloses its nucleus's area (vertices in 1/16 level-0 pixel; CMU is 0.499 µm/px): within 2%.
        var outlinesOff = 0, checked = 0
        for row in try rows(database, "SELECT area_um2, hex(outline) FROM nuclei LIMIT 400") {
            let bytes = stride(from: 0, to: row[1].count, by: 2).map {
                UInt8(row[1][row[1].index(row[1].startIndex, offsetBy: $0)...].prefix(2), radix: 16) ?? 0
            }
            let values = Nucleus.outline(fromBytes: bytes).map(Double.init)
            var twice = 0.0
            for i in stride(from: 0, to: values.count, by: 2) {
                let j = (i + 2) % values.count
                twice += values[i] * values[j + 1] - values[j] * values[i + 1]
            }
            let area = twice / 2 / 256 * 0.499 * 0.499   // sixteenths of a pixel
            checked += 1
            if abs(area - Double(row[0])!) > 0.02 * Double(row[0])! { outlinesOff += 1 }
        }
        #expect(checked > 100 && outlinesOff == 0, "\(outlinesOff) of \(checked) outlines off by more than 2%")
        // The run summary prints the count.
        #expect(run.stdout.contains("nuclei \(Int(inTissue)) ("), "\(run.stdout)")

        // export nuclei --csv: one row per stored nucleus, the same centroids.
        let csvPath = out + "/nuclei.csv"
        let exported = try TesseraCLI.run(["export", "nuclei", database, "--csv", csvPath])
        #expect(exported.status == 0, "\(exported.stderr)")
        let csv = try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\r\n")
        #expect(csv.first?.hasPrefix("slide_path,fingerprint,run_uid,slide_run_id,tile_index,x_px,y_px,x_um") == true)
        #expect(Double(csv.count - 1) == stored)

        // The GeoJSON written by the run: one detection per nucleus (CMU states no bounds), the nucleus class's
        // regions left out (the detections are those nuclei).
        let geojson = try #require(FileManager.default.contentsOfDirectory(atPath: out + "/geojson").first { $0.hasSuffix(".geojson") })
        let collection = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/geojson/" + geojson))) as? [String: Any]
        let features = collection?["features"] as? [[String: Any]] ?? []
        let nucleusFeatures = features.filter {
            (($0["properties"] as? [String: Any])?["measurements"] as? [String: Any])?["Tessera: nucleus area µm^2"] != nil
        }
        #expect(Double(nucleusFeatures.count) == stored)
        #expect(nucleusFeatures.allSatisfy { ($0["properties"] as? [String: Any])?["objectType"] as? String == "detection" })
        #expect(!features.contains { (($0["properties"] as? [String: Any])?["classification"] as? [String: Any])?["name"] as? String == "nuclei" })

        // The density grid: every nucleus in the tissue in the cell its centroid lies in (counted here from the
        // nuclei rows), the cells' tissue adding up to the slide's, and the TIFF showing the view's densities.
        let side = try number(database, "SELECT nuclei_density_cell_um / mpp_x FROM slide_runs")
        #expect(try number(database, "SELECT nuclei_density_cell_um FROM slide_runs") == 100)
        var expected: [String: Int] = [:]
        for row in try rows(database, "SELECT x, y FROM nuclei WHERE in_tissue = 1") {
            let cell = "\(Int((Double(row[0])! / side).rounded(.down))),\(Int((Double(row[1])! / side).rounded(.down)))"
            expected[cell, default: 0] += 1
        }
        var recorded: [String: Int] = [:]
        for row in try rows(database, "SELECT cell_x, cell_y, nuclei FROM nuclei_density WHERE nuclei > 0") {
            recorded["\(row[0]),\(row[1])"] = Int(row[2])
        }
        #expect(recorded == expected && recorded.values.reduce(0, +) == Int(inTissue))
        let gridTissue = try number(database, "SELECT SUM(tissue_um2) / 1e6 FROM nuclei_density")
        // The grid measures the whole tissue mask; tissue_mm2 only the planned tiles' (tiles under 5% tissue are
        // skipped), so the grid may hold a little more, never less.
        #expect(gridTissue >= tissue * 0.999 && gridTissue <= tissue * 1.03, "grid \(gridTissue) mm², slide \(tissue) mm²")
        let densityFile = try #require(FileManager.default.contentsOfDirectory(atPath: out + "/heatmaps")
            .first { $0.hasSuffix(".nuclei-density.tif") && $0.contains(".sr") })
        #expect(try number(database, "SELECT COUNT(*) FROM artefacts WHERE kind = 'nuclei_density' AND path LIKE '%\(densityFile)'") == 1)
        let (map, description) = try NucleusDensityMap.read(URL(fileURLWithPath: out + "/heatmaps/" + densityFile))
        // CMU-1-Small-Region is 2220 x 2967 level-0 pixels: the grid covers it in whole cells.
        #expect(map.width == Int((2_220 / side).rounded(.up)) && map.height == Int((2_967 / side).rounded(.up)))
        #expect(description?.contains("\"kind\":\"nuclei-density\"") == true)
        var compared = 0
        for row in try rows(database, "SELECT cell_x, cell_y, COALESCE(nuclei_per_mm2_tissue, 'nan') FROM slide_nuclei_density") {
            let (x, y) = (Int(row[0])!, Int(row[1])!)
            let value = Float(Double(row[2]) ?? .nan)
            #expect(value.isNaN ? map[x, y].isNaN : map[x, y] == value, "cell \(x),\(y)")
            compared += value.isNaN ? 0 : 1
        }
        #expect(compared > 20)
        #expect(map.values.filter { !$0.isNaN }.count == compared)

        // Run again: already done, nothing counted twice. Merged into another file: the same nuclei.
        let again = try TesseraCLI.run(["run", cmu, "--out", out])
        let afterAgain = try number(database, "SELECT COUNT(*) FROM nuclei")
        #expect(again.status == 0 && afterAgain == stored)
        let merged = try Fixtures.temporaryDirectory("nuclei-merge").path + "/merged.sqlite"
        let merge = try TesseraCLI.run(["merge", merged, database])
        #expect(merge.status == 0, "\(merge.stderr)")
        let inMerged = try rows(merged, "SELECT COUNT(*), SUM(in_tissue), printf('%.6f', SUM(x)) FROM nuclei")
        let inOriginal = try rows(database, "SELECT COUNT(*), SUM(in_tissue), printf('%.6f', SUM(x)) FROM nuclei")
        #expect(inMerged == inOriginal)
        #expect(try rows(merged, "SELECT cell_x, cell_y, nuclei, tissue_um2 FROM nuclei_density ORDER BY 1, 2")
                == rows(database, "SELECT cell_x, cell_y, nuclei, tissue_um2 FROM nuclei_density ORDER BY 1, 2"))
    }

    @Test func nucleiOffCountsNoneAndTheViewsSaySo() throws {
        let out = try Fixtures.temporaryDirectory("nuclei-off").path
        let database = out + "/results.sqlite"
        let run = try TesseraCLI.run(["run", cmu, "--out", out, "--nuclei", "off", "--mpp", "2", "--tile", "128",
                                      "--overlap", "16", "--no-heatmaps"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try number(database, "SELECT COUNT(*) FROM nuclei") == 0)
        #expect(try rows(database, "SELECT COUNT(*) FROM slide_nuclei") == [["0"]])           // not counted, not zero
        #expect(try rows(database, "SELECT nucleus_class_index IS NULL FROM runs") == [["1"]])
        #expect(!run.stdout.contains("nuclei 0"))
        let csv = try TesseraCLI.run(["export", "nuclei", database, "--csv", out + "/n.csv"])
        #expect(csv.status == 2 && csv.stderr.contains("did not count nuclei"), "\(csv.stderr)")
        // A model without a nucleus class refuses --nuclei on, naming the model and its classes.
        let model = Fixtures.models.appendingPathComponent("reference-random.safetensors").path
        let refused = try TesseraCLI.run(["run", cmu, "--out", out + "/x", "--model", model, "--nuclei", "on"])
        #expect(refused.status == 2 && refused.stderr.contains("names no nucleus class"), "\(refused.stderr)")
        // auto counts nuclei only at the model's own resolution: not at 2 µm/px, where the bundled model's 0.5 µm/px
        // nuclei are a quarter of their size.
        let coarse = try TesseraCLI.run(["run", cmu, "--out", out + "/coarse", "--mpp", "2", "--tile", "128", "--overlap",
                                         "16", "--no-heatmaps"])
        #expect(coarse.status == 0, "\(coarse.stderr)")
        #expect(try rows(out + "/coarse/results.sqlite", "SELECT nucleus_class_index IS NULL FROM runs") == [["1"]])
        // on counts them there, from the probability alone even when the haematoxylin refinement is asked for: its
        // radii are pixels at the model's own resolution.
        let forced = try TesseraCLI.run(["run", cmu, "--out", out + "/forced", "--mpp", "2", "--tile", "128", "--overlap",
                                         "16", "--no-heatmaps", "--nuclei", "on", "--refine-nuclei"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try rows(out + "/forced/results.sqlite",
                         "SELECT json_extract(parameters_json, '$.nuclei.segmentation.markerDepth'), "
                         + "json_extract(parameters_json, '$.nuclei.segmentation.refinesWithHaematoxylin') IS NULL FROM runs")
                == [["1", "1"]])
        // At the model's own resolution --refine-nuclei redraws the nuclei from the haematoxylin, and records so.
        let refined = try TesseraCLI.run(["run", cmu, "--out", out + "/refined", "--no-heatmaps", "--refine-nuclei"])
        #expect(refined.status == 0, "\(refined.stderr)")
        #expect(try rows(out + "/refined/results.sqlite",
                         "SELECT json_extract(parameters_json, '$.nuclei.segmentation.refinesWithHaematoxylin'), "
                         + "json_extract(parameters_json, '$.nuclei.segmentation.corePercentile') FROM runs") == [["1", "95"]])
        #expect(try number(out + "/refined/results.sqlite", "SELECT COUNT(*) FROM nuclei") > 1_000)
    }
}
