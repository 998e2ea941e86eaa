import Synchronization

/// What the tile cache has done since the server started; `GET /api/stats` reports it.
public struct TileCacheStatistics: Sendable, Equatable, Codable {
    /// Requests answered from the cache.
    public var hits: Int
    /// Requests that had to produce their tile (read the slide or heatmap, encode).
    public var misses: Int
    /// Requests that waited for the same tile being produced for another request (no second read).
    public var joined: Int
    public var entries: Int
    public var bytes: Int
    public var capacityBytes: Int
}

/// A bounded least-recently-used cache of encoded tiles, keyed by what the tile is (slide run, layer, level,
/// column, row). Concurrent requests for a tile not yet cached share one production: the second waits for the first.
///
/// Entries are evicted, least recently used first, while the total size is above `capacityBytes`. Failed
/// productions are not cached (a slide that comes back is read again).
public final class TileCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Node {
        var key: Key
        /// nil once evicted, so a free slot holds no tile.
        var value: Value?
        var cost: Int
        var newer: Int?
        var older: Int?
    }

    private struct State: ~Copyable {
        var index: [Key: Int] = [:]
        var nodes: [Node] = []
        var freeSlots: [Int] = []
        var newest: Int?
        var oldest: Int?
        var bytes = 0
        var inFlight: [Key: Task<Value, any Error>] = [:]
        var hits = 0, misses = 0, joined = 0
    }

    private enum Lookup {
        case cached(Value)
        case waiting(Task<Value, any Error>)
        case producing(Task<Value, any Error>)
    }

    private let state = Mutex(State())
    public let capacityBytes: Int
    private let cost: @Sendable (Value) -> Int

    /// `cost` gives an entry's size in bytes.
    public init(capacityBytes: Int, cost: @escaping @Sendable (Value) -> Int) {
        self.capacityBytes = capacityBytes
        self.cost = cost
    }

    public var statistics: TileCacheStatistics {
        state.withLock { state in
            TileCacheStatistics(hits: state.hits, misses: state.misses, joined: state.joined,
                                entries: state.index.count, bytes: state.bytes, capacityBytes: capacityBytes)
        }
    }

    /// The cached value for `key`, or the one `produce` makes (once, however many callers ask at the same time).
    public func value(for key: Key, produce: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let lookup: Lookup = state.withLock { state in
            if let slot = state.index[key] {
                state.hits += 1
                Self.moveToNewest(slot, &state)
                return .cached(state.nodes[slot].value!)
            }
            if let task = state.inFlight[key] {
                state.joined += 1
                return .waiting(task)
            }
            state.misses += 1
            let task = Task { try await produce() }
            state.inFlight[key] = task
            return .producing(task)
        }
        switch lookup {
        case .cached(let value):
            return value
        case .waiting(let task):
            return try await task.value
        case .producing(let task):
            do {
                let value = try await task.value
                let size = cost(value)
                state.withLock { state in
                    state.inFlight[key] = nil
                    insert(key, value, size, &state)
                }
                return value
            } catch {
                _ = state.withLock { $0.inFlight.removeValue(forKey: key) }
                throw error
            }
        }
    }

    private func insert(_ key: Key, _ value: Value, _ size: Int, _ state: inout State) {
        guard size <= capacityBytes, state.index[key] == nil else { return }
        let node = Node(key: key, value: value, cost: size, newer: nil, older: state.newest)
        let slot: Int
        if let free = state.freeSlots.popLast() { state.nodes[free] = node; slot = free }
        else { state.nodes.append(node); slot = state.nodes.count - 1 }
        if let newest = state.newest { state.nodes[newest].newer = slot }
        state.newest = slot
        if state.oldest == nil { state.oldest = slot }
        state.index[key] = slot
        state.bytes += size
        while state.bytes > capacityBytes, let oldest = state.oldest {
            Self.unlink(oldest, &state)
            state.index[state.nodes[oldest].key] = nil
            state.bytes -= state.nodes[oldest].cost
            state.nodes[oldest].value = nil
            state.freeSlots.append(oldest)
        }
    }

    private static func unlink(_ slot: Int, _ state: inout State) {
        let node = state.nodes[slot]
        if let newer = node.newer { state.nodes[newer].older = node.older } else { state.newest = node.older }
        if let older = node.older { state.nodes[older].newer = node.newer } else { state.oldest = node.newer }
        state.nodes[slot].newer = nil
        state.nodes[slot].older = nil
    }

    private static func moveToNewest(_ slot: Int, _ state: inout State) {
        guard state.newest != slot else { return }
        unlink(slot, &state)
        state.nodes[slot].older = state.newest
        if let newest = state.newest { state.nodes[newest].newer = slot }
        state.newest = slot
        if state.oldest == nil { state.oldest = slot }
    }
}
