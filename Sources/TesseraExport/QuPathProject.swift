import Foundation
import TesseraCore
import TesseraStore

/// A QuPath project (0.5) that opens a results file's slides with their objects: `project.qpproj` with one image
/// entry per slide, `classifiers/classes.json` with the classes and colours, each slide's GeoJSON under `tessera/`,
/// and a Groovy script under `scripts/` that imports each image's GeoJSON into QuPath's own data.
///
/// The fields are those qupath-core v0.5.1's `DefaultProject.loadProject` reads (`version`, `createTimestamp`,
/// `modifyTimestamp`, `uri`, `lastID`, `images`: `DefaultProjectImageEntry`'s `serverBuilder`, `entryID`,
/// `randomizedName`, `imageName`, `metadata`) and `loadPathClasses` (`{"pathClasses":[{"name","color"}]}`, the colour
/// packed as Java's `ColorTools.packRGB`). QuPath writes each image's `data/<id>/data.qpdata` (Java serialisation)
/// itself, when the script has imported the objects and the image is saved.
public enum QuPathProject {
    /// The QuPath version the project is written for (its `version` field).
    public static let version = "0.5.1"
    /// QuPath's OpenSlide image server: it crops to the slide's OpenSlide bounds, the frame Tessera's GeoJSON is in.
    public static let openSlideServerBuilder = "qupath.lib.images.servers.openslide.OpenslideServerBuilder"
    public static let scriptName = "Import Tessera objects.groovy"
    /// The image entry metadata key naming the folder of the entry's GeoJSON files, relative to the project folder.
    public static let geojsonKey = "tessera.geojson"
    /// Objects per GeoJSON file by default: QuPath's reader parses a whole file into one JSON tree (about 9 bytes of
    /// heap per byte of file) before making its objects, so a slide's objects come in parts whose trees stay small
    /// next to the objects themselves (BENCHMARKS.md).
    public static let objectsPerFile = 50_000
    /// The outline tolerance by default, µm, for compartments and nuclei alike: one pixel of the bundled model
    /// (0.5 µm), the precision the outlines were traced at. QuPath keeps every vertex of an imported object (a
    /// compartment with holes as JTS coordinates of 40 bytes each), and a pixel staircase loses its steps only to a
    /// tolerance of about one pixel (a 45° step's inner corner lies 0.71 px from the chord through the outer ones):
    /// so simplified, a whole slide's objects fit QuPath's 1 GB heap (BENCHMARKS.md, issue 25).
    public static let simplifyMicrons = 0.5

    public struct Image: Sendable, Equatable {
        public var slidePath: String
        public var name: String
        /// The folder of the slide's GeoJSON files, relative to the project folder.
        public var geojson: String
        public var metadata: [(String, String)]

        public init(slidePath: String, name: String, geojson: String, metadata: [(String, String)]) {
            self.slidePath = slidePath
            self.name = name
            self.geojson = geojson
            self.metadata = metadata
        }

        public static func == (a: Image, b: Image) -> Bool {
            a.slidePath == b.slidePath && a.name == b.name && a.geojson == b.geojson
                && a.metadata.map { "\($0)=\($1)" } == b.metadata.map { "\($0)=\($1)" }
        }
    }

    /// The project folder must not hold a project already (a pathologist's work is never overwritten).
    public static func checkEmpty(_ directory: URL) throws {
        let file = directory.appendingPathComponent("project.qpproj")
        if FileManager.default.fileExists(atPath: file.path) {
            throw ExportError(.invalidInput, "a QuPath project is already there: give a new folder (nothing is overwritten)",
                              path: file.path)
        }
    }

    /// `file:/abs/path`, as Java's `File.toURI()` writes it.
    static func javaFileURI(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.absoluteString
        return absolute.hasPrefix("file:///") ? "file:/" + absolute.dropFirst("file:///".count) : absolute
    }

    /// QuPath's packed colour: `ColorTools.packRGB`, alpha 255, as a signed 32-bit integer.
    static func packedColour(_ colour: (UInt8, UInt8, UInt8)) -> Int32 {
        Int32(bitPattern: 0xFF00_0000 | UInt32(colour.0) << 16 | UInt32(colour.1) << 8 | UInt32(colour.2))
    }

    /// The text of `project.qpproj`.
    static func projectJSON(directory: URL, images: [Image], milliseconds: Int64) -> String {
        var entries: [String] = []
        for (offset, image) in images.enumerated() {
            let id = offset + 1
            let metadata = ([(geojsonKey, image.geojson)] + image.metadata)
                .map { "\(JSONText.quoted($0.0)): \(JSONText.quoted($0.1))" }.joined(separator: ", ")
            entries.append("""
                    {
                      "serverBuilder": {"builderType": "uri", "providerClassName": \(JSONText.quoted(openSlideServerBuilder)), \
                "uri": \(JSONText.quoted(javaFileURI(image.slidePath))), "args": []},
                      "entryID": \(id),
                      "randomizedName": "\(StableIdentifier.uuid("qupath-project/\(image.slidePath)/\(image.geojson)").uuidString.lowercased())",
                      "imageName": \(JSONText.quoted(image.name)),
                      "metadata": {\(metadata)}
                    }
                """)
        }
        return """
            {
              "version": "\(version)",
              "createTimestamp": \(milliseconds),
              "modifyTimestamp": \(milliseconds),
              "uri": \(JSONText.quoted(javaFileURI(directory.appendingPathComponent("project.qpproj").path))),
              "lastID": \(images.count),
              "images": [
            \(entries.joined(separator: ",\n"))
              ]
            }

            """
    }

    /// The text of `classifiers/classes.json`.
    static func classesJSON(_ classes: [QuPathFeature.Classification]) -> String {
        let items = classes.map { "    {\"name\": \(JSONText.quoted($0.name)), \"color\": \(packedColour($0.colour))}" }
        return "{\n  \"pathClasses\": [\n" + items.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    /// The Groovy script that imports each image's GeoJSON (QuPath's `PathIO.readObjects`, as File > Import objects).
    static let script = #"""
        /*
         * Imports the objects Tessera found in this image (written by `tessera export qupath`): every GeoJSON file of
         * the image's folder, one after another, once (objects already in the image, by id, are not added again). Run it for every image of the project:
         *   QuPath: Automate > Project scripts > Import Tessera objects, then Run > Run for project (the data is saved);
         *   command line: QuPath script -p PROJECT/project.qpproj -s "PROJECT/scripts/Import Tessera objects.groovy"
         * RESOLVE_HIERARCHY (on) makes each detection (nucleus, tile) a child of the annotation that contains its
         * centroid (QuPath's Objects > Annotations > Resolve hierarchy), so a compartment's annotation counts the
         * nuclei inside it: Tessera draws compartments with their nuclei filled in for that. QuPath's GeoJSON reader
         * would take children nested in a feature ("childObjects"), but a streamed whole-slide export cannot nest
         * them cheaply. Set it to false to import faster and leave the objects flat.
         */
        import qupath.lib.io.PathIO
        import qupath.lib.images.ImageData

        def RESOLVE_HIERARCHY = true

        def entry = getProjectEntry()
        def relative = entry == null ? null : entry.getMetadataValue('tessera.geojson')
        if (relative == null) {
            println "Tessera: no objects recorded for this image"
            return
        }
        def folder = new File(buildFilePath(PROJECT_BASE_DIR, relative))
        def files = folder.isDirectory() ? folder.listFiles().findAll { it.getName() ==~ /.*\.geojson(\.gz)?/ }.sort { it.getName() } : []
        if (files.isEmpty()) {
            println "Tessera: no GeoJSON in ${folder}"
            return
        }
        def imageData = getCurrentImageData()
        if (imageData.getImageType() == ImageData.ImageType.UNSET)
            setImageType('BRIGHTFIELD_H_E')
        def hierarchy = imageData.getHierarchy()
        def existing = hierarchy.getAllObjects(false).collect { it.getID() } as Set
        def count = 0
        for (file in files) {
            // One file at a time: QuPath's reader holds a file's whole JSON while it makes the objects.
            def objects = PathIO.readObjects(file).findAll { !existing.contains(it.getID()) }
            hierarchy.addObjects(objects)
            count += objects.size()
        }
        if (RESOLVE_HIERARCHY)
            hierarchy.resolveHierarchy()
        println "Tessera: ${count} objects imported from ${files.size()} files into ${entry.getImageName()}"
        """#

    /// Writes the project's files into `directory` (created when missing; must hold no project), the GeoJSON files
    /// being already under it.
    public static func write(into directory: URL, images: [Image], classes: [QuPathFeature.Classification],
                             now: Date = Date()) throws {
        try checkEmpty(directory)
        let classifiers = directory.appendingPathComponent("classifiers", isDirectory: true)
        let scripts = directory.appendingPathComponent("scripts", isDirectory: true)
        do {
            for folder in [classifiers, scripts] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
            try AtomicFile.create(Data(script.utf8), at: scripts.appendingPathComponent(scriptName))
            try AtomicFile.create(Data(classesJSON(classes).utf8), at: classifiers.appendingPathComponent("classes.json"))
            // The project file last: a folder with project.qpproj is a whole project.
            let milliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded())
            try AtomicFile.create(Data(projectJSON(directory: directory, images: images, milliseconds: milliseconds).utf8),
                                  at: directory.appendingPathComponent("project.qpproj"))
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError(.cannotWrite, "cannot write the QuPath project: \(error.localizedDescription)", path: directory.path)
        }
    }
}
