import Foundation
import Testing
import TesseraExport
@testable import TesseraPipeline

/// `outputs.geojson` in a pipeline file: off by default, an object turns it on with its options, and it never
/// changes the pipeline's hash (GeoJSON is derived from results that are the same either way).
@Suite struct GeoJSONSettingTests {
    static let file = URL(fileURLWithPath: "/labs/pathology/pipelines/job.yaml")
    static let base = """
        version: 1
        name: job
        inputs: [slides]
        outputs:
          directory: out

        """

    @Test func offByDefaultOnWithItsOptionsAndOutsideTheHash() throws {
        let plain = try PipelineDefinition.parse(text: Self.base, file: Self.file)
        #expect(plain.settings.geojson == nil)
        let defaults = try PipelineDefinition.parse(text: Self.base + "  geojson: {}\n", file: Self.file)
        #expect(defaults.settings.geojson == GeoJSONExportOptions())
        let full = try PipelineDefinition.parse(text: Self.base + """
              geojson:
                objects: both
                classes: [tumour, stroma]
                min_area_um2: 50
                simplify_um: 2
                gzip: true
                multipolygon_per_class: true
                object_types: {tumour: detection}
                qupath_classes: {stroma: Stroma}

            """, file: Self.file)
        #expect(full.settings.geojson == GeoJSONExportOptions(
            objects: .both, classNames: ["tumour", "stroma"], minimumAreaMicrons2: 50, simplifyMicrons: 2, gzip: true,
            multipolygonPerClass: true,
            qupath: QuPathClassMap(objectTypes: ["tumour": .detection], qupathClasses: ["stroma": "Stroma"])))
        #expect(plain.hash == defaults.hash && plain.hash == full.hash)
    }

    @Test func badValuesAreSchemaErrorsWithTheirKeys() throws {
        #expect(throws: PipelineError.self) {
            try PipelineDefinition.parse(text: Self.base + "  geojson: {objects: polygons}\n", file: Self.file)
        }
        #expect(throws: PipelineError.self) {
            try PipelineDefinition.parse(text: Self.base + "  geojson: {simplify: 2}\n", file: Self.file)
        }
        #expect(throws: PipelineError.self) {
            try PipelineDefinition.parse(text: Self.base + "  geojson: {object_types: {nuclei: cell}}\n", file: Self.file)
        }
        #expect(throws: PipelineError.self) {
            try PipelineDefinition.parse(text: Self.base + "  geojson: {object_types: [nuclei]}\n", file: Self.file)
        }
    }

    @Test func regionsNeedHeatmaps() throws {
        var settings = RunSettings(inputs: ["a.svs"], outputDirectory: "/tmp/out")
        settings.writeHeatmaps = false
        settings.geojson = GeoJSONExportOptions(objects: .tiles)
        let model = SegmentationModelIdentity(name: "m", path: "/m", sha256: "0")
        #expect(throws: Never.self) { try settings.resolve(model: model) }
        settings.geojson = GeoJSONExportOptions(objects: .regions)
        #expect(throws: RunError.self) { try settings.resolve(model: model) }
    }
}
