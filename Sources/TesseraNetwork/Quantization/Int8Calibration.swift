
import Foundation
import TesseraCore

/// The arithmetic a network runs in.
public enum Precision: String, Sendable, CaseIterable, Codable {
    case fp32, int8
}

/// A histogram of |x| of one activation tensor over the calibration tiles. Its range doubles (merging bin pairs)
/// whenever a larger value arrives, so one pass over the tiles suffices (ONNX Runtime's calibrator does the same).
struct ActivationHistogram {
    static let binCount = 2048
    var bins = [Double](repeating: 0, count: binCount)
    var range: Float = 0
    var maximum: Float = 0

    mutating func add(_ values: [Float]) {
        let largest = values.reduce(0) { max($0, abs($1)) }
        guard largest > 0 else { bins[0] += Double(values.count); return }
        maximum = max(maximum, largest)
        if range == 0 { range = largest }
        while largest > range {
            for j in 0..<(Self.binCount / 2) { bins[j] = bins[2 * j] + bins[2 * j + 1] }
            for j in (Self.binCount / 2)..<Self.binCount { bins[j] = 0 }
            range *= 2
        }
        let perBin = Float(Self.binCount) / range
        values.withUnsafeBufferPointer { buffer in
            for value in buffer { bins[min(Int(abs(value) * perBin), Self.binCount - 1)] += 1 }
        }
    }

    /// The clipping threshold T (scale = T / 127).
    func threshold(_ method: CalibrationMethod) -> Float {
        guard range > 0 else { return 1e-6 }
        let width = range / Float(Self.binCount)
        switch method {
        case .minMax:
            return maximum
        case .percentile:
            let total = bins.reduce(0, +), target = total * 0.9999
            var cumulative = 0.0
            for (j, count) in bins.enumerated() {
                cumulative += count
                if cumulative >= target { return min(maximum, Float(j + 1) * width) }
            }
            return maximum
        case .entropy:
            return min(maximum, Float(entropyBins()) * width)
        }
    }

    /// TensorRT's entropy calibration: the bin count i (>= 128) whose clipped distribution P, quantised to 128 levels
    /// (Q), has the smallest KL(P || Q).
    private func entropyBins() -> Int {
        let levels = 128
        let last = bins.lastIndex { $0 > 0 } ?? 0
        guard last + 1 > levels else { return last + 1 }
        var best = last + 1, bestDivergence = Double.infinity
        var i = levels
        while i <= last + 1 {
            var p = Array(bins[0..<i])
            p[i - 1] += bins[i...].reduce(0, +)
            var q = [Double](repeating: 0, count: i)
            let perLevel = Double(i) / Double(levels)
            for level in 0..<levels {
                let start = Int(Double(level) * perLevel), end = max(start + 1, Int(Double(level + 1) * perLevel))
                let slice = bins[start..<min(end, i)]
                let nonZero = slice.filter { $0 > 0 }.count
                guard nonZero > 0 else { continue }
                let value = slice.reduce(0, +) / Double(nonZero)
                for j in start..<min(end, i) where bins[j] > 0 { q[j] = value }
            }
            let pTotal = p.reduce(0, +), qTotal = q.reduce(0, +)
            var divergence = 0.0
            for j in 0..<i where p[j] > 0 {
                let pj = p[j] / pTotal, qj = q[j] / qTotal
                divergence += qj > 0 ? pj * log(pj / qj) : pj * 20
            }
            if divergence < bestDivergence { bestDivergence = divergence; best = i }
            i += 16
        }
        return best
    }
}

/// Where calibration tiles came from, recorded in the int8 file.
public struct CalibrationSource: Sendable, Equatable {
    public var path: String
    public var fingerprint: String
    public var tiles: Int
    /// SHA-256 of a file's bytes, lowercase hex (the fingerprint of a PNG calibration tile).
    public static func sha256(of url: URL) throws -> String {
        sha256Hex(try Data(contentsOf: url, options: .alwaysMapped))
    }

    public init(path: String, fingerprint: String, tiles: Int) {
        self.path = path
        self.fingerprint = fingerprint
        self.tiles = tiles
    }
}

/// Static int8 quantisation: activation ranges from fp32 runs over calibration tiles, weights per output channel.
public enum Int8Calibration {
    /// For the activations with one scale (the per-channel ones take each channel's largest |x|).
    /// The method chosen by measured accuracy on held-out tiles of CMU-1-Small-Region.svs (8 calibration tiles, default
    /// model): minmax 97.0%, percentile (99.99th) 96.9%, entropy 90.9% argmax agreement with fp32 (BENCHMARKS.md).
    public static let defaultMethod = CalibrationMethod.minMax

    /// How far the per-channel ranges of a tensor that a 1x1 convolution reads move into that convolution's weights
    /// (SmoothQuant's alpha; Xiao et al., 2023): channel c gets the scale max_c^a * M^(1-a) / 127, M the tensor's
    /// largest channel maximum. At 1 each channel uses all 127 steps, and the convolution, which oneDNN gives one input
    /// scale, takes the channels' ranges folded into its weights: their spread (up to ~100x) then costs the weights of
    /// small-range channels most of their 8 bits. At 0 the activation has one scale and small-range channels get few
    /// steps. Chosen by measurement (`Int8Tests`: 16 held-out tiles of two slides; argmax agreement with fp32, and
    /// the largest difference of a class's area on a slide): 1.0 gave 99.32% and 0.75 points (CMU's nuclei, under
    /// fp32's); 0.85 99.55% and 0.41; 0.75 99.57% and 0.29; 0.5 99.50% and 0.26; 0.25 99.18% and 0.57.
    public static let smoothingStrength: Float = 0.75

    /// Per-channel scales moved `strength` of the way towards their largest (see `smoothingStrength`).
    static func smoothed(_ scales: [Float], strength: Float) -> [Float] {
        let largest = scales.max() ?? 0
        guard largest > 0 else { return scales }
        return scales.map { $0 > 0 ? pow($0, strength) * pow(largest, 1 - strength) : $0 }
    }

    /// The clipping threshold of every int8 activation tensor: `method` applied to the histogram of its values over
    /// all tiles in the fp32 network. (Averaging per-tile ranges instead, as PyTorch's moving-average observers do,
    /// measured worse on the default model: 95.5-95.9% argmax agreement against 96.9-97.0%.)
    /// Per-channel activations (`Int8Parameters.perChannelActivations`) get each channel's largest |x| over all tiles.
    static func thresholds(model: SegmentationModel, tiles: [RGBImage], method: CalibrationMethod, threads: Int) throws -> [String: [Float]] {
        guard let first = tiles.first else { throw NetworkError(.invalidInput, "calibration needs at least one tile") }
        let segmenter = try Segmenter(model: model, batch: 1, height: first.height, width: first.width, threads: threads)
        var wanted: [String: String] = [:]
        for label in Int8Parameters.activationLabels(encoder: model.encoder) {
            for floatLabel in Int8Parameters.floatLabels(of: label) { wanted[floatLabel] = label }
        }
        let perChannel = Int8Parameters.perChannelActivations(encoder: model.encoder, decoder: model.decoder)
        var histograms: [String: ActivationHistogram] = [:]
        // By the fp32 network's label: an int8 tensor the fp32 network computes in parts (the fusion's depthwise
        // output) takes its parts' channels in `floatLabels` order.
        var channelMaxima: [String: [Float]] = [:]
        for tile in tiles {
            guard tile.width == first.width, tile.height == first.height else {
                throw NetworkError(.invalidInput, "calibration tiles must share one size: \(tile.width)x\(tile.height) after \(first.width)x\(first.height)")
            }
            try segmenter.forEachLayerOutput(tile) { label, output in
                guard let target = wanted[label] else { return }
                if perChannel[target] != nil {
                    let plane = output.height * output.width
                    var maxima = channelMaxima[label] ?? [Float](repeating: 0, count: output.channels)
                    output.values.withUnsafeBufferPointer { values in
                        for c in 0..<output.channels {
                            for v in values[(c * plane)..<((c + 1) * plane)] { maxima[c] = max(maxima[c], abs(v)) }
                        }
                    }
                    channelMaxima[label] = maxima
                } else {
                    histograms[target, default: ActivationHistogram()].add(output.values)
                }
            }
        }
        var thresholds = histograms.mapValues { [$0.threshold(method)] }
        for (label, channels) in perChannel {
            let parts = Int8Parameters.floatLabels(of: label).compactMap { channelMaxima[$0] }
            guard !parts.isEmpty else { continue }
            let maxima = parts.flatMap { $0 }
            guard maxima.count == channels else {
                throw NetworkError(.invalidConfiguration, "calibration saw \(maxima.count) channels of \(label), the network has \(channels)")
            }
            thresholds[label] = maxima
        }
        return thresholds
    }

    /// The model quantised from calibration tiles (all of one size). `sources` and `method` are recorded; the result's
    /// `sha256` is that of the int8 file it would be written as.
    public static func quantize(_ model: SegmentationModel, tiles: [RGBImage], method: CalibrationMethod = defaultMethod,
                                sources: [CalibrationSource] = [], sourceMetadata: [String: String] = [:], threads: Int = 2) throws -> SegmentationModel {
        guard model.int8 == nil else { throw NetworkError(.invalidConfiguration, "\(model.url.path) is already int8") }
        let thresholds = try thresholds(model: model, tiles: tiles, method: method, threads: threads)
        let tileCount = tiles.count
        var scales: [String: [Float]] = [:]
        // The input's range is known exactly: (0 or 1 - mean) / std.
        let n = model.normalisation
        scales["input"] = [(0..<3).map { max(abs((0 - n.mean[$0]) / n.std[$0]), abs((1 - n.mean[$0]) / n.std[$0])) }.max()! / 127]
        for label in Int8Parameters.activationLabels(encoder: model.encoder) where label != "input" {
            guard let threshold = thresholds[label] else { throw NetworkError(.invalidConfiguration, "calibration saw no output of \(label)") }
            scales[label] = threshold.map { max($0, 1e-6) / 127 }
        }
        // Migration towards the weights (SmoothQuant) for tensors a 1x1 convolution reads: see `smoothingStrength`.
        for label in Int8Parameters.denseConvolutionInputs(encoder: model.encoder, decoder: model.decoder) {
            guard let values = scales[label], values.count > 1 else { continue }
            scales[label] = smoothed(values, strength: smoothingStrength)
        }
        // The blocks of a residual chain add into one tensor, and the sum post-op rescales it by one number: their
        // scales are one per-channel profile (the largest of each channel over the chain) times a factor per block.
        for chain in Int8Parameters.residualChains(encoder: model.encoder) {
            guard let first = scales[chain[0]] else { continue }
            let profile = chain.compactMap { scales[$0] }.reduce(first) { zip($0, $1).map { max($0, $1) } }
            for label in chain {
                let factor = zip(scales[label]!, profile).map { $0 / $1 }.max()!
                scales[label] = profile.map { $0 * factor }
            }
        }
        let (floatConvolutions, floats) = Int8Parameters.layers(of: model)
        var convolutions: [String: QuantizedConvolution] = [:]
        for conv in floatConvolutions { convolutions[conv.name] = QuantizedConvolution(quantizing: conv.weights, shape: conv.shape, bias: conv.bias) }
        let slides = sources.map { ["path": $0.path, "fingerprint": $0.fingerprint, "tiles": $0.tiles] as [String: Any] }
        let slidesJSON = String(decoding: (try? JSONSerialization.data(withJSONObject: slides, options: [.sortedKeys])) ?? Data("[]".utf8), as: UTF8.self)
        var metadata = sourceMetadata
        for (key, value) in ["quantization": Int8Parameters.formatName, "quantization_method": method.rawValue, "source_sha256": model.sha256,
                             "activation_smoothing": String(smoothingStrength),
                        "calibration_tiles": String(tileCount), "calibration_slides": slidesJSON, "tessera_version": TesseraVersion.string] { metadata[key] = value }
        let parameters = Int8Parameters(convolutions: convolutions, floatTensors: floats,
                                        floatShapes: Int8Parameters.floatShapes(encoder: model.encoder, decoder: model.decoder),
                                        activationScales: scales, metadata: metadata)
        var quantized = model
        quantized.int8 = parameters
        quantized.weights = [:]
        quantized.sha256 = sha256Hex(try parameters.serialized())
        return quantized
    }

    /// Relative error (||int8 - fp32|| / ||fp32||) of each int8 layer's output against the fp32 network's, averaged
    /// over `tiles`, in execution order.
    public static func layerErrors(fp32: Segmenter, int8: Segmenter, tiles: [RGBImage]) throws -> [(label: String, relativeError: Double)] {
        var sums: [String: Double] = [:]
        var order: [String] = []
        for tile in tiles {
            var reference: [String: [Float]] = [:]
            try fp32.forEachLayerOutput(tile) { label, output in reference[label] = output.values }
            try int8.forEachLayerOutput(tile) { label, output in
                let expected = Int8Parameters.floatLabels(of: label).compactMap { reference[$0] }.flatMap { $0 }
                guard !expected.isEmpty else { return }
                let count = min(expected.count, output.values.count)
                var difference = 0.0, norm = 0.0
                for i in 0..<count {
                    let e = Double(expected[i]), d = Double(output.values[i]) - e
                    difference += d * d
                    norm += e * e
                }
                if sums[label] == nil { order.append(label) }
                sums[label, default: 0] += norm > 0 ? (difference / norm).squareRoot() : difference.squareRoot()
            }
        }
        return order.map { ($0, sums[$0]! / Double(tiles.count)) }
    }
}
