/*
 * Tessera's harness around QuPath's own readers (qupath-core v0.5.1, GPL-3; see ../README.md).
 *
 *   java -cp JAR tessera.QuPathReaderHarness objects FILE.geojson[.gz]|FOLDER...
 *       Reads each file (a folder: its .geojson and .geojson.gz files in name order) with
 *       qupath.lib.io.PathIO.readObjects(Path), the call behind QuPath's File > Import objects, one after
 *       another, keeping every object (as an import into one image does), and prints one JSON summary on stdout: objects per type and class
 *       (children included), measurement names per type, class colours, locked and named counts,
 *       polygons with holes, invalid geometries (JTS isValid on each ROI's geometry), the bounds of
 *       each type's and class's ROIs, the read time and the heap.
 *
 *       With QUPATH_READER_HISTOGRAM=N in the environment, "heap_histogram" lists the N classes holding the most
 *       live heap after the read (the JVM's own GC.class_histogram, as jcmd prints it), to see what the objects
 *       cost: ROIs, their vertex arrays, measurement lists, ids.
 *
 *   java -cp JAR tessera.QuPathReaderHarness hierarchy FILE.geojson[.gz]|FOLDER...
 *       The same, then adds the objects to a PathObjectHierarchy, runs QuPath's resolveHierarchy() (what the
 *       project's import script runs) and counts each type's and class's parents ("parents").
 *
 *   java -cp JAR tessera.QuPathReaderHarness project DIR/project.qpproj
 *       Loads the project with qupath.lib.projects.ProjectIO.loadProject (DefaultProject's reader,
 *       which also reads classifiers/classes.json) and prints its image entries (name, id, server
 *       builder as QuPath serialises it, URIs) and its classes with their colours.
 *
 * Exit status: 0 read; 1 QuPath's reader failed (the exception is printed on stderr); 2 usage.
 * This file is Tessera's, licensed GPL-3 like the QuPath sources it is compiled with.
 */
package tessera;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.management.ObjectName;
import org.locationtech.jts.geom.Polygon;
import qupath.lib.common.ColorTools;
import qupath.lib.common.GeneralTools;
import qupath.lib.io.GsonTools;
import qupath.lib.images.servers.ImageServerBuilder.ServerBuilder;
import qupath.lib.io.PathIO;
import qupath.lib.objects.PathObject;
import qupath.lib.projects.ProjectIO;

public final class QuPathReaderHarness {

    public static void main(String[] args) {
        boolean reads = args.length >= 2 && (args[0].equals("objects") || args[0].equals("hierarchy"));
        if (!reads && !(args.length == 2 && args[0].equals("project"))) {
            System.err.println("usage: QuPathReaderHarness objects|hierarchy FILE.geojson|FOLDER... | project DIR/project.qpproj");
            System.exit(2);
        }
        try {
            JsonObject summary;
            if (reads) {
                List<Path> files = new ArrayList<>();
                for (int i = 1; i < args.length; i++) {
                    Path path = Path.of(args[i]);
                    if (Files.isDirectory(path)) {
                        try (var listing = Files.list(path)) {
                            listing.filter(p -> p.getFileName().toString().matches(".*\\.geojson(\\.gz)?")).sorted().forEach(files::add);
                        }
                    } else files.add(path);
                }
                summary = objects(files, args[0].equals("hierarchy"));
            } else summary = project(new File(args[1]));
            summary.addProperty("qupath_core_version", GeneralTools.getVersion());
            System.out.println(new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(summary));
        } catch (Throwable error) {
            System.err.println("QuPath's reader failed on " + args[1] + ": " + error);
            error.printStackTrace();
            System.exit(1);
        }
    }

    static String typeName(PathObject object) {
        if (object.isTile()) return "tile";
        if (object.isCell()) return "cell";
        if (object.isTMACore()) return "tmaCore";
        if (object.isDetection()) return "detection";
        if (object.isAnnotation()) return "annotation";
        return object.getClass().getSimpleName();
    }

    static final class Group {
        long count, locked, named, withHoles, invalid, children, vertices;
        double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        Integer color;
        // The class's base class, and whether QuPath leaves objects of it out as it does Ignore* (PathObjectTools
        // asks PathClassTools.isIgnoredClass of the base class).
        String baseClass;
        Boolean ignored;
        final TreeMap<String, Long> geometryTypes = new TreeMap<>();

        JsonObject json() {
            JsonObject o = new JsonObject();
            o.addProperty("count", count);
            o.addProperty("locked", locked);
            o.addProperty("named", named);
            o.addProperty("with_holes", withHoles);
            o.addProperty("invalid_geometries", invalid);
            o.addProperty("with_children", children);
            o.addProperty("vertices", vertices);
            JsonArray bounds = new JsonArray();
            bounds.add(minX); bounds.add(minY); bounds.add(maxX); bounds.add(maxY);
            o.add("bounds", bounds);
            if (color != null) {
                JsonArray rgb = new JsonArray();
                rgb.add(ColorTools.red(color)); rgb.add(ColorTools.green(color)); rgb.add(ColorTools.blue(color));
                o.add("color", rgb);
            }
            if (baseClass != null) o.addProperty("base_class", baseClass);
            if (ignored != null) o.addProperty("ignored", ignored);
            JsonObject types = new JsonObject();
            geometryTypes.forEach(types::addProperty);
            o.add("geometry_types", types);
            return o;
        }
    }

    /** With resolve, the objects are also added to an image's hierarchy and QuPath's own
     *  PathObjectHierarchy.resolveHierarchy() (Objects > Annotations > Resolve hierarchy, what the project's import
     *  script runs) places them; "parents" then counts, per object type and class, the parents' types and classes. */
    static JsonObject objects(List<Path> paths, boolean resolve) throws Exception {
        long start = System.nanoTime();
        List<PathObject> objects = new ArrayList<>();
        for (Path path : paths) objects.addAll(PathIO.readObjects(path));
        double seconds = (System.nanoTime() - start) / 1e9;
        // The heap the imported objects hold (the parsed JSON tree is garbage by now), then the peak of the read.
        System.gc();
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        long liveHeap = runtime.totalMemory() - runtime.freeMemory();
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) peakHeap += pool.getPeakUsage().getUsed();
        String histogramLimit = System.getenv("QUPATH_READER_HISTOGRAM");
        JsonArray histogram = histogramLimit == null ? null : liveHeapHistogram(Integer.parseInt(histogramLimit));

        TreeMap<String, TreeMap<String, Group>> byType = new TreeMap<>();
        TreeMap<String, TreeMap<String, Long>> measurementNames = new TreeMap<>();
        TreeMap<String, Long> depths = new TreeMap<>();
        long total = 0, invalid = 0;
        ArrayDeque<Map.Entry<PathObject, Integer>> pending = new ArrayDeque<>();
        for (PathObject object : objects) pending.add(Map.entry(object, 0));
        while (!pending.isEmpty()) {
            var next = pending.poll();
            PathObject object = next.getKey();
            int depth = next.getValue();
            total++;
            depths.merge(Integer.toString(depth), 1L, Long::sum);
            String type = typeName(object);
            var pathClass = object.getPathClass();
            String className = pathClass == null ? "(none)" : pathClass.toString();
            Group group = byType.computeIfAbsent(type, t -> new TreeMap<>()).computeIfAbsent(className, c -> new Group());
            group.count++;
            if (pathClass != null) {
                group.color = pathClass.getColor();
                group.baseClass = pathClass.getBaseClass().toString();
                group.ignored = qupath.lib.objects.classes.PathClassTools.isIgnoredClass(pathClass.getBaseClass());
            }
            if (object.isLocked()) group.locked++;
            if (object.getName() != null) group.named++;
            if (object.hasChildObjects()) {
                group.children++;
                for (PathObject child : object.getChildObjects()) pending.add(Map.entry(child, depth + 1));
            }
            var roi = object.getROI();
            if (roi != null) {
                var geometry = roi.getGeometry();
                group.geometryTypes.merge(geometry.getGeometryType(), 1L, Long::sum);
                group.vertices += roi.getNumPoints();
                if (!geometry.isValid()) { group.invalid++; invalid++; }
                for (int i = 0; i < geometry.getNumGeometries(); i++)
                    if (geometry.getGeometryN(i) instanceof Polygon polygon && polygon.getNumInteriorRing() > 0) { group.withHoles++; break; }
                group.minX = Math.min(group.minX, roi.getBoundsX());
                group.minY = Math.min(group.minY, roi.getBoundsY());
                group.maxX = Math.max(group.maxX, roi.getBoundsX() + roi.getBoundsWidth());
                group.maxY = Math.max(group.maxY, roi.getBoundsY() + roi.getBoundsHeight());
            }
            var names = measurementNames.computeIfAbsent(type, t -> new TreeMap<>());
            for (String name : object.getMeasurementList().getMeasurementNames()) names.merge(name, 1L, Long::sum);
        }

        JsonObject summary = new JsonObject();
        JsonArray files = new JsonArray();
        for (Path path : paths) files.add(path.toString());
        summary.add("files", files);
        summary.addProperty("objects", total);
        summary.addProperty("top_level_objects", objects.size());
        summary.addProperty("invalid_geometries", invalid);
        JsonObject types = new JsonObject();
        byType.forEach((type, classes) -> {
            JsonObject perClass = new JsonObject();
            classes.forEach((name, group) -> perClass.add(name, group.json()));
            types.add(type, perClass);
        });
        summary.add("types", types);
        JsonObject measurements = new JsonObject();
        measurementNames.forEach((type, names) -> {
            JsonObject perName = new JsonObject();
            names.forEach(perName::addProperty);
            measurements.add(type, perName);
        });
        summary.add("measurements", measurements);
        JsonObject depthJson = new JsonObject();
        depths.forEach(depthJson::addProperty);
        summary.add("objects_at_depth", depthJson);
        summary.addProperty("read_seconds", seconds);
        summary.addProperty("heap_live_bytes", liveHeap);
        summary.addProperty("heap_peak_bytes", peakHeap);
        summary.addProperty("heap_max_bytes", runtime.maxMemory());
        if (histogram != null) summary.add("heap_histogram", histogram);
        if (resolve) {
            long resolveStart = System.nanoTime();
            var hierarchy = new qupath.lib.objects.hierarchy.PathObjectHierarchy();
            hierarchy.addObjects(objects);
            hierarchy.resolveHierarchy();
            summary.addProperty("resolve_seconds", (System.nanoTime() - resolveStart) / 1e9);
            TreeMap<String, TreeMap<String, Long>> parents = new TreeMap<>();
            for (PathObject object : hierarchy.getAllObjects(false)) {
                PathObject parent = object.getParent();
                String parentName = parent == null || parent.isRootObject() ? "root"
                    : typeName(parent) + "/" + (parent.getPathClass() == null ? "(none)" : parent.getPathClass().toString());
                String name = typeName(object) + "/" + (object.getPathClass() == null ? "(none)" : object.getPathClass().toString());
                parents.computeIfAbsent(name, n -> new TreeMap<>()).merge(parentName, 1L, Long::sum);
            }
            JsonObject parentsJson = new JsonObject();
            parents.forEach((name, counts) -> {
                JsonObject perParent = new JsonObject();
                counts.forEach(perParent::addProperty);
                parentsJson.add(name, perParent);
            });
            summary.add("parents", parentsJson);
        }
        return summary;
    }

    /** The `limit` classes holding the most live heap: the JVM's GC.class_histogram (a full collection first), the
     *  diagnostic command jcmd runs, called in-process through its MBean. */
    static JsonArray liveHeapHistogram(int limit) throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
            new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
            new Object[] { new String[0] }, new String[] { String[].class.getName() });
        JsonArray rows = new JsonArray();
        for (String line : text.split("\n")) {
            // "   1:        123456       7890123  [F (java.base@17.0.15)"
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 4 || !fields[0].endsWith(":") || rows.size() >= limit) continue;
            JsonObject row = new JsonObject();
            row.addProperty("class", fields[3]);
            row.addProperty("instances", Long.parseLong(fields[1]));
            row.addProperty("bytes", Long.parseLong(fields[2]));
            rows.add(row);
        }
        return rows;
    }

    static JsonObject project(File file) throws Exception {
        // ImageServers' static initialiser registers the server builders' JSON adapters with GsonTools, as it has
        // run in QuPath long before a project is opened (the GUI and the image server providers load it first).
        Class.forName("qupath.lib.images.servers.ImageServers");
        var project = ProjectIO.loadProject(file, BufferedImage.class);
        var gson = GsonTools.getInstance();
        JsonObject summary = new JsonObject();
        summary.addProperty("file", file.toString());
        summary.addProperty("version", project.getVersion());
        JsonArray images = new JsonArray();
        for (var entry : project.getImageList()) {
            JsonObject image = new JsonObject();
            image.addProperty("name", entry.getImageName());
            image.addProperty("id", entry.getID());
            image.add("server_builder", gson.toJsonTree(entry.getServerBuilder(), ServerBuilder.class));
            JsonArray uris = new JsonArray();
            for (var uri : entry.getURIs()) uris.add(uri.toString());
            image.add("uris", uris);
            JsonObject metadata = new JsonObject();
            new TreeMap<>(entry.getMetadataMap()).forEach(metadata::addProperty);
            image.add("metadata", metadata);
            image.addProperty("description", entry.getDescription());
            images.add(image);
        }
        summary.add("images", images);
        JsonArray classes = new JsonArray();
        for (var pathClass : project.getPathClasses()) {
            JsonObject c = new JsonObject();
            c.addProperty("name", pathClass.toString());
            Integer color = pathClass.getColor();
            if (color != null) {
                JsonArray rgb = new JsonArray();
                rgb.add(ColorTools.red(color)); rgb.add(ColorTools.green(color)); rgb.add(ColorTools.blue(color));
                c.add("color", rgb);
            }
            classes.add(c);
        }
        summary.add("classes", classes);
        return summary;
    }
}
