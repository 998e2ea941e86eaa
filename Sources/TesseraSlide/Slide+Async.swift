import TesseraCore

extension Slide {
    /// `read(level0Window:outputWidth:outputHeight:)` on one of `pool`'s threads, so the blocking OpenSlide call
    /// never occupies Swift's cooperative pool. Any number may run at once on one slide.
    public func read(level0Window: PixelRect, outputWidth: Int, outputHeight: Int,
                     on pool: BlockingThreadPool) async throws -> RGBImage {
        try await pool.run { [self] in
            try self.read(level0Window: level0Window, outputWidth: outputWidth, outputHeight: outputHeight)
        }
    }

    /// Reads a planned tile's read window at the plan's target resolution (tileSize x tileSize) on `pool`.
    public func read(tile: PlannedTile, of plan: TilePlan, on pool: BlockingThreadPool) async throws -> RGBImage {
        try await read(level0Window: tile.readWindow, outputWidth: plan.tileSize, outputHeight: plan.tileSize, on: pool)
    }

    /// Reads a planned tile's read window at the plan's target resolution (tileSize x tileSize), blocking.
    public func read(tile: PlannedTile, of plan: TilePlan) throws -> RGBImage {
        try read(level0Window: tile.readWindow, outputWidth: plan.tileSize, outputHeight: plan.tileSize)
    }
}
