/// Fills the holes of a compartment's region that are exactly one region of an enclosed class (nuclei), so the
/// compartment is the region a pathologist would draw: with its nuclei inside it. QuPath then makes the nuclei's
/// detections children of the compartment's annotation (its hierarchy places a detection by its centroid), and the
/// annotation no longer carries hundreds of nucleus-shaped rings (which held most of an import's heap, issue 25).
///
/// A hole is filled when one region of an enclosed class, traced without holes of its own, covers it exactly: the
/// region's shell has the hole's top-left vertex and the hole's area. (The region's first pixel is then inside the
/// hole, so the region lies in the hole, and equal areas make it the whole hole.) Holes that hold anything else
/// (background, another compartment, a nucleus with a hole of its own) stay holes; two nuclei that touch at a corner
/// are two holes touching there (RegionTracer), each filled.
///
/// The enclosed class's regions must be traced by the same tracer: a hole's region always finishes on an earlier row
/// than the region around it, so it has been seen by the time the surrounding region is handed over.
/// Memory: one key per enclosed region not yet matched (16 bytes and the set's overhead).
struct EnclosedHoleFiller {
    private struct Key: Hashable {
        var corner: GridPoint
        var doubleArea: Int64
    }

    /// The class values whose regions fill the holes they make.
    let enclosedClasses: Set<UInt8>
    private var unmatched: Set<Key> = []

    init(enclosedClasses: Set<UInt8>) {
        self.enclosedClasses = enclosedClasses
    }

    private static func key(_ ring: GridRing) -> Key {
        Key(corner: ring.points.min()!, doubleArea: abs(ring.doubleSignedArea))
    }

    /// Notes a traced region of an enclosed class (one with holes of its own holds another class: not noted).
    mutating func note(_ region: TracedRegion) {
        guard enclosedClasses.contains(region.classValue), region.holes.isEmpty else { return }
        unmatched.insert(Self.key(region.shell))
    }

    /// `region` with the holes that are exactly one enclosed region removed, and how many were removed. Its
    /// `pixelCount` stays the traced one (the class's own pixels, as the tile table counts them).
    mutating func filled(_ region: TracedRegion) -> (region: TracedRegion, filledHoles: Int) {
        guard !unmatched.isEmpty, !region.holes.isEmpty else { return (region, 0) }
        var kept = region
        kept.holes = region.holes.filter { unmatched.remove(Self.key($0)) == nil }
        return (kept, region.holes.count - kept.holes.count)
    }
}
