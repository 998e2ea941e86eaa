import CDNNL
import Foundation
import TesseraCore

/// An activation in the blocked layout, nChw8c or nChw16c (the input alone is plain NCHW).
final class Activation {
    let memory: MemoryObject
    let channels: Int
    let height: Int
    let width: Int
    /// Channels per block (8 or 16).
    let block: Int
    var buffer: AlignedBuffer { memory.buffer }
    var floats: UnsafeMutablePointer<Float> { memory.buffer.floats }
    var channelBlocks: Int { (channels + block - 1) / block }
    var paddedChannels: Int { channelBlocks * block }
    var planeSize: Int { height * width }

    init(memory: MemoryObject, channels: Int, height: Int, width: Int, block: Int) {
        self.memory = memory
        self.channels = channels
        self.height = height
        self.width = width
        self.block = block
    }
}

/// The channel block of the activation layout: 16 (nChw16c) where oneDNN runs AVX-512 kernels, else 8 (nChw8c, AVX2).
/// Forcing nChw8c on an AVX-512 machine would make oneDNN fall back to its AVX2 kernels.
/// Both ask oneDNN which ISA it will really dispatch to (`dnnl_get_effective_cpu_isa`), not /proc/cpuinfo, so that
/// `ONEDNN_MAX_CPU_ISA=AVX2` on an AVX-512 machine behaves as an AVX2-only one (a Zen 3) does.
public enum ActivationLayout {
    public static var preferredChannelBlock: Int { runsAVX512Kernels ? 16 : 8 }

    /// The channel blocks oneDNN has optimised kernels for here: nChw8c everywhere (AVX2 kernels, which AVX-512
    /// machines also run), nChw16c only where it runs AVX-512 kernels (elsewhere it falls to its `ref` kernels).
    public static var supportedChannelBlocks: [Int] { runsAVX512Kernels ? [8, 16] : [8] }

    private static var runsAVX512Kernels: Bool { dispatches(dnnl_cpu_isa_avx512_core) }

    /// True where oneDNN's int8 kernels multiply with VNNI's vpdpbusd (AVX-512 VNNI, AVX-VNNI, AMX machines), which
    /// sums u8 x s8 products exactly in s32. Elsewhere they use vpmaddubsw, which saturates pairs at s16, so u8 sources
    /// must stay in 7 bits (oneDNN's "Nuances of int8 computations"; s8 sources it protects itself by halving weights).
    static var runsVNNIKernels: Bool { dispatches(dnnl_cpu_isa_avx512_core_vnni) || dispatches(dnnl_cpu_isa_avx2_vnni) }

    private static func dispatches(_ wanted: dnnl_cpu_isa_t) -> Bool {
        let isa = dnnl_get_effective_cpu_isa().rawValue
        return isa & wanted.rawValue == wanted.rawValue
    }
}

/// One step of the execution plan: a oneDNN primitive or one of Tessera's kernels.
struct PlanStep {
    var label: String
    var implementation: String
    var run: () throws -> Void
    /// Reads the step's output as plain floats (calibration and per-layer error reports); nil for steps without one.
    var output: (() -> LayerOutput)? = nil
}

/// A layer's output as plain floats, channels x height x width (one tile), dequantised where the layer is int8.
struct LayerOutput {
    var channels: Int
    var height: Int
    var width: Int
    var values: [Float]
}

/// Time spent in one layer over the runs since timing was switched on.
public struct LayerTiming: Sendable, Equatable {
    public var label: String
    public var implementation: String
    public var seconds: Double
    public var runs: Int
}

/// Runs the segmentation network on batches of RGB tiles with oneDNN.
///
/// Not thread-safe: it owns the oneDNN engine, stream, primitives and buffers, built once for (height, width).
/// Call it from one dedicated thread (its calls block for the whole batch).
///
/// A call takes 1 to `batch` tiles. The primitives are built for one tile and run once per tile: measured here, that
/// is 5-10% faster per tile than batch-4 primitives (activations stay in cache longer), needs less than half the
/// memory, and a short last batch costs only its own tiles (nothing is padded).
///
/// `threads` is the OpenMP thread count (libgomp, shared by oneDNN and Tessera's kernels), set for the calling
/// thread on every call. On shared cores run the process with `OMP_WAIT_POLICY=passive`
/// with a short spin (`OpenMPEnvironment.reexecWithBoundedSpinIfUnset()` in the CLI): libgomp's default 3 ms spin costs up
/// to 4x there, and a fully passive wait about 80 µs per layer.
public final class Segmenter {
    public let model: SegmentationModel
    public let batch: Int
    public let height: Int
    public let width: Int
    public let threads: Int
    /// Channels per block of the activation layout (16: nChw16c, AVX-512 kernels; 8: nChw8c, AVX2).
    public let channelBlock: Int
    /// Records the time of each layer (with a stream wait after each) when true.
    public var recordsTimings = false

    private let engine: DNNLEngine
    private var steps: [PlanStep] = []
    private var timings: [Double] = []
    private var runCount = 0
    /// The fp32 plan's input (nil for int8, whose first step quantises the tile itself).
    private let input: Activation?
    private let quantizeInput: ((RGBImage) -> Void)?
    private let head: Activation
    private var features: [Activation] = []
    private let keepsFeatures: Bool
    /// Everything the plan's closures point into, kept alive with the segmenter.
    private var owned: [AnyObject] = []
    private let finalRows: LinearTaps
    private let finalColumns: LinearTaps

    /// Builds every primitive for tiles of `height` x `width` (multiples of 16); calls take 1 to `batch` tiles.
    /// `keepingEncoderFeatures` keeps f1..f5 readable through `encoderFeatures(_:)` (costs memory; for tests).
    /// `channelBlock` (8 or 16) overrides the layout chosen for this CPU (`ActivationLayout.preferredChannelBlock`).
    public init(model: SegmentationModel, batch: Int, height: Int, width: Int, threads: Int,
                keepingEncoderFeatures: Bool = false, channelBlock: Int? = nil) throws {
        guard batch >= 1 else { throw NetworkError(.invalidConfiguration, "batch size \(batch) must be at least 1") }
        guard height >= 16, width >= 16, height % 16 == 0, width % 16 == 0 else {
            throw NetworkError(.invalidInput, "tile size \(width)x\(height) is not supported: width and height must be positive multiples of 16 (the network's output stride); pad or crop the tiles")
        }
        guard threads >= 1 else { throw NetworkError(.invalidConfiguration, "thread count \(threads) must be at least 1") }
        let block = channelBlock ?? ActivationLayout.preferredChannelBlock
        guard block == 8 || block == 16 else { throw NetworkError(.invalidConfiguration, "channel block \(block) must be 8 or 16") }
        self.channelBlock = block
        self.model = model
        self.batch = batch
        self.height = height
        self.width = width
        self.threads = threads
        self.keepsFeatures = keepingEncoderFeatures
        omp_set_num_threads(Int32(threads))
        engine = try DNNLEngine()
        let builder = PlanBuilder(engine: engine, batch: 1, threads: threads, block: block)
        if let int8 = model.int8 {
            guard !keepingEncoderFeatures else {
                throw NetworkError(.invalidConfiguration, "encoder features are kept by the fp32 network only; \(model.name) is int8")
            }
            (head, quantizeInput) = try builder.buildInt8Network(model: model, parameters: int8, height: height, width: width)
            input = nil
        } else {
            let input = try builder.plainInput(channels: 3, height: height, width: width)
            var features: [Activation] = []
            head = try builder.buildNetwork(model: model, input: input, keepFeatures: keepingEncoderFeatures, features: &features)
            self.features = features
            self.input = input
            quantizeInput = nil
        }
        finalRows = LinearTaps(input: head.height, output: height)
        finalColumns = LinearTaps(input: head.width, output: width)
        try builder.finish()
        steps = builder.steps
        owned = builder.owned
        timings = [Double](repeating: 0, count: steps.count)
    }

    /// fp32, or int8 for a model quantised by `tessera model quantize` (or `Int8Calibration`).
    public var precision: Precision { model.int8 == nil ? .fp32 : .int8 }

    /// oneDNN's implementation for each primitive (and "tessera" for Tessera's own kernels), in execution order.
    public var implementations: [(label: String, implementation: String)] {
        steps.map { ($0.label, $0.implementation) }
    }

    /// Per-layer times accumulated while `recordsTimings` was on (`runs` counts tiles).
    public var layerTimings: [LayerTiming] {
        zip(steps, timings).map { LayerTiming(label: $0.label, implementation: $0.implementation, seconds: $1, runs: runCount) }
    }

    public func resetTimings() {
        timings = [Double](repeating: 0, count: steps.count)
        runCount = 0
    }

    /// Logits, N x classes x height x width (N = tiles.count), at input resolution.
    public func logits(_ tiles: [RGBImage]) throws -> [Float] {
        try validate(tiles)
        let classes = model.classCount, tileSize = classes * height * width
        var output = [Float](repeating: 0, count: tiles.count * tileSize)
        try output.withUnsafeMutableBufferPointer { out in
            for (n, tile) in tiles.enumerated() {
                try run(tile)
                upsampleToPlain(head.floats, out.baseAddress! + n * tileSize, batch: 1, channels: classes, block: head.block,
                                inputHeight: head.height, inputWidth: head.width, outputHeight: height, outputWidth: width,
                                rows: finalRows, columns: finalColumns, threads: threads)
            }
        }
        return output
    }

    /// Softmax over classes, N x classes x height x width.
    public func probabilities(_ tiles: [RGBImage]) throws -> [Float] {
        var values = try logits(tiles)
        let classes = model.classCount, plane = height * width
        values.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            parallelFor(tiles.count, threads: threads) { range in
                for n in range {
                    let image = base + n * classes * plane
                    for i in 0..<plane {
                        var maximum = -Float.infinity
                        for c in 0..<classes { maximum = max(maximum, image[c * plane + i]) }
                        var sum: Float = 0
                        for c in 0..<classes {
                            let e = exp(image[c * plane + i] - maximum)
                            image[c * plane + i] = e
                            sum += e
                        }
                        let inverse = 1 / sum
                        for c in 0..<classes { image[c * plane + i] *= inverse }
                    }
                }
            }
        }
        return values
    }

    /// The encoder features f1..f5 (strides 2, 4, 8, 16, 16) of the last run's tiles, each N x C x h x w, plain.
    /// Needs `keepingEncoderFeatures: true` at init.
    public func encoderFeatures(_ tiles: [RGBImage]) throws -> [(channels: Int, height: Int, width: Int, values: [Float])] {
        guard keepsFeatures else {
            throw NetworkError(.invalidConfiguration, "encoder features were not kept; build the Segmenter with keepingEncoderFeatures: true")
        }
        try validate(tiles)
        var result = features.map { (channels: $0.channels, height: $0.height, width: $0.width, values: [Float]()) }
        for tile in tiles {
            try run(tile)
            for (index, f) in features.enumerated() {
                result[index].values += blockedToPlain(f.floats, batch: 1, channels: f.channels, block: f.block, planeSize: f.planeSize)
            }
        }
        return result
    }

    private func validate(_ tiles: [RGBImage]) throws {
        guard !tiles.isEmpty, tiles.count <= batch else {
            throw NetworkError(.invalidInput, "\(tiles.count) tiles given; this Segmenter was built for 1 to \(batch) per call")
        }
        for (index, tile) in tiles.enumerated() where tile.width != width || tile.height != height {
            throw NetworkError(.invalidInput, "tile \(index) is \(tile.width)x\(tile.height); this Segmenter was built for \(width)x\(height) (multiples of 16)")
        }
    }

    /// Runs the plan on one tile and hands each observable layer's output (by label, in execution order) to `visit`.
    func forEachLayerOutput(_ tile: RGBImage, _ visit: (String, LayerOutput) throws -> Void) throws {
        try validate([tile])
        omp_set_num_threads(Int32(threads))
        prepareInput(tile)
        for step in steps {
            try step.run()
            if let output = step.output { try visit(step.label, output()) }
        }
    }

    /// Runs the plan on one tile; the head's output is then in `head`.
    private func run(_ tile: RGBImage) throws {
        omp_set_num_threads(Int32(threads))
        prepareInput(tile)
        if recordsTimings {
            for (index, step) in steps.enumerated() {
                let start = DispatchTime.now().uptimeNanoseconds
                try step.run()
                timings[index] += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            }
            runCount += 1
        } else {
            for step in steps { try step.run() }
        }
    }

    private func prepareInput(_ tile: RGBImage) {
        if let quantizeInput { quantizeInput(tile) } else { normalise(tile, into: input!) }
    }

    /// RGB HWC bytes to normalised planar floats, with the reference's arithmetic ((v / 255 - mean) / std).
    private func normalise(_ tile: RGBImage, into input: Activation) {
        let plane = height * width
        let mean = model.normalisation.mean, std = model.normalisation.std
        tile.pixels.withUnsafeBufferPointer { pixels in
            let r = input.floats, g = r + plane, b = g + plane
            for i in 0..<plane {
                r[i] = (Float(pixels[3 * i]) / 255 - mean[0]) / std[0]
                g[i] = (Float(pixels[3 * i + 1]) / 255 - mean[1]) / std[1]
                b[i] = (Float(pixels[3 * i + 2]) / 255 - mean[2]) / std[2]
            }
        }
    }
}
