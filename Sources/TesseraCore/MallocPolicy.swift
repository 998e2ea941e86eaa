import CMalloc

/// How the C allocator hands memory back, for long runs that must keep a flat footprint.
public enum MallocPolicy {
    /// Allocations from this size up get their own mapping, returned to the system when freed.
    public static let mmapThreshold = 256 << 10

    /// Fixes glibc's mmap threshold at `mmapThreshold`.
    ///
    /// By default glibc raises the threshold to the size of each large block freed (up to 32 MiB): after a slide's
    /// tissue thumbnail (megabytes) is freed, tiles and probability batches come from the heap arenas instead,
    /// where freed space is reused but rarely returned, so the process grew with the first slide's thumbnail.
    /// Measured on `tessera run` (BENCHMARKS.md): peak RSS 297 vs 307 MiB for slides 4x apart in area with the
    /// default, 266 vs 267 MiB with the threshold fixed. Setting it also turns off the dynamic adjustment.
    ///
    /// Returns whether the allocator took it: false where the C library is not glibc. Tuning only: without it a
    /// run is as correct and merely holds more memory.
    @discardableResult
    public static func useFixedMmapThreshold() -> Bool {
        CMalloc_setMmapThreshold(Int32(mmapThreshold)) == 1
    }
}
