import Foundation

// The int8 safetensors format (`tessera model quantize`):
//   <conv>.weight        I8   smp's shape (BatchNorm folded in before quantising)
//   <conv>.weight_scale  F32  [output channels]   real weight = q * scale
//   <conv>.bias          F32  [output channels]   folded bias (absent for the bias-free depthwise convs)
//   activation_scale.<layer label>  F32 [1] or [channels] (the labels of `perChannelActivations`)
//                                                  real activation = q * scale[channel]
//   the fp32 layers kept (SE FCs, ASPP atrous depthwise and image pooling) under smp's names
//   __metadata__: the source model's metadata plus quantization, quantization_method, source_sha256,
//                 calibration_tiles, calibration_slides (JSON), activation_smoothing, tessera_version.

extension SafetensorsFile {
    /// An I8 tensor's values, checked to have `shape`.
    func int8s(_ name: String, shape expected: [Int]) throws -> [Int8] {
        guard let info = tensors[name] else {
            throw WeightsError(.missingTensor, "tensor is missing; expected I8 \(expected)", file: url.path, tensor: name)
        }
        guard info.dtype == .i8 else {
            throw WeightsError(.unsupportedDType, "dtype \(info.dtype.rawValue), an int8 model stores this convolution as I8", file: url.path, tensor: name)
        }
        guard info.shape == expected else {
            throw WeightsError(.shapeMismatch, "shape \(info.shape) in the file, the network expects \(expected)", file: url.path, tensor: name)
        }
        let start = dataStart + info.byteRange.lowerBound
        return data.withUnsafeBytes { raw in
            Array(UnsafeBufferPointer(start: raw.baseAddress!.advanced(by: start).assumingMemoryBound(to: Int8.self), count: info.elementCount))
        }
    }
}

extension Int8Parameters {
    /// The int8 network of a file, or nil when the file is an fp32 model. Every tensor is checked: shapes against the
    /// architecture, scales finite and positive, one per output channel; errors name the tensor.
    static func load(from file: SafetensorsFile, encoder: EfficientNetVariant, decoder: DeepLabV3PlusConfiguration) throws -> Int8Parameters? {
        guard let format = file.metadata["quantization"] else { return nil }
        let path = file.url.path
        guard format == formatName else {
            throw WeightsError(.badMetadata, "quantization \(format) is not supported (\(formatName) is)", file: path)
        }
        func positiveFinite(_ values: [Float], _ name: String) throws {
            if let bad = values.firstIndex(where: { !$0.isFinite || $0 <= 0 }) {
                throw WeightsError(.badMetadata, "scale \(values[bad]) at index \(bad) is not a positive finite number", file: path, tensor: name)
            }
        }
        var convolutions: [String: QuantizedConvolution] = [:]
        for (name, spec) in convolutionShapes(encoder: encoder, decoder: decoder) {
            let weights = try file.int8s(name, shape: spec.shape)
            let scaleName = scaleName(name)
            guard let scaleInfo = file.tensors[scaleName] else {
                throw WeightsError(.missingTensor, "tensor is missing; \(name) needs one scale per output channel (\(spec.shape[0]))", file: path, tensor: scaleName)
            }
            guard scaleInfo.elementCount == spec.shape[0] else {
                throw WeightsError(.shapeMismatch, "\(scaleInfo.elementCount) scales for the \(spec.shape[0]) output channels of \(name)", file: path, tensor: scaleName)
            }
            let scales = try file.floats(scaleName)
            try positiveFinite(scales, scaleName)
            var bias: [Float]?
            if spec.hasBias {
                bias = try file.floats(biasName(name), shape: [spec.shape[0]])
                if let bad = bias!.firstIndex(where: { !$0.isFinite }) {
                    throw WeightsError(.badMetadata, "bias \(bias![bad]) at index \(bad) is not finite", file: path, tensor: biasName(name))
                }
            }
            convolutions[name] = QuantizedConvolution(shape: spec.shape, weights: weights, weightScales: scales, bias: bias)
        }
        var floats: [String: [Float]] = [:]
        for (name, shape) in floatShapes(encoder: encoder, decoder: decoder) {
            floats[name] = try file.floats(name, shape: shape)
        }
        var activations: [String: [Float]] = [:]
        let perChannel = perChannelActivations(encoder: encoder, decoder: decoder)
        for label in activationLabels(encoder: encoder) {
            let name = activationPrefix + label
            guard let info = file.tensors[name] else {
                throw WeightsError(.missingTensor, "tensor is missing; expected the scale of activation \(label)", file: path, tensor: name)
            }
            let allowed = [[1]] + (perChannel[label].map { [[$0]] } ?? [])
            guard allowed.contains(info.shape) else {
                throw WeightsError(.shapeMismatch, "shape \(info.shape) in the file, the network expects \(allowed.map { "\($0)" }.joined(separator: " or "))",
                                   file: path, tensor: name)
            }
            let values = try file.floats(name)
            try positiveFinite(values, name)
            activations[label] = values
        }
        for chain in residualChains(encoder: encoder) {
            let first = activations[chain[0]]!
            for label in chain.dropFirst() {
                let scales = activations[label]!, ratio = scales[0] / first[0]
                if scales.count != first.count || zip(scales, first).contains(where: { abs($0 / $1 - ratio) > 1e-3 * ratio }) {
                    throw WeightsError(.badMetadata, "the scales of a residual block's output must be \(chain[0])'s times one factor (the blocks add into one tensor)",
                                       file: path, tensor: activationPrefix + label)
                }
            }
        }
        let metadata = file.metadata
        guard let source = metadata["source_sha256"], source.count == 64 else {
            throw WeightsError(.badMetadata, "source_sha256 (the fp32 model's SHA-256) is missing or malformed", file: path)
        }
        return Int8Parameters(convolutions: convolutions, floatTensors: floats, floatShapes: floatShapes(encoder: encoder, decoder: decoder),
                              activationScales: activations, metadata: metadata)
    }

    /// Checks that these were quantised from `source`: its SHA-256, and every int8 weight within half a step of the
    /// source's folded weight. The error names the first tensor that differs.
    public func verifySource(_ source: SegmentationModel, file: String) throws {
        let (floatConvs, _) = Self.layers(of: source)
        for conv in floatConvs {
            guard let quantised = convolutions[conv.name], quantised.shape == conv.shape else {
                throw WeightsError(.shapeMismatch, "the fp32 model \(source.url.path) has \(conv.shape) here", file: file, tensor: conv.name)
            }
            let perOutput = conv.weights.count / conv.shape[0]
            for (i, value) in conv.weights.enumerated() {
                let scale = quantised.weightScales[i / perOutput]
                if abs(Float(quantised.weights[i]) * scale - value) > 0.5001 * scale + 1e-7 {
                    throw WeightsError(.shapeMismatch, "was not quantised from \(source.url.path): element \(i) is \(Float(quantised.weights[i]) * scale), the fp32 model's folded weight is \(value)", file: file, tensor: conv.name)
                }
            }
        }
        if metadata["source_sha256"] != source.sha256 {
            throw WeightsError(.badMetadata, "source_sha256 \(metadata["source_sha256"] ?? "none") is not \(source.url.path)'s SHA-256 \(source.sha256)", file: file)
        }
    }

    /// Writes the int8 model file.
    public func write(to url: URL) throws {
        try serialized().write(to: url, options: .atomic)
    }

    /// The int8 model as a safetensors file: `metadata` holds the source model's (classes, colours, normalisation...)
    /// and the provenance.
    func serialized() throws -> Data {
        var entries: [(name: String, dtype: String, shape: [Int], bytes: Data)] = []
        func floats(_ values: [Float]) -> Data { values.withUnsafeBufferPointer { Data(buffer: $0) } }
        for (name, conv) in convolutions.sorted(by: { $0.key < $1.key }) {
            entries.append((name, "I8", conv.shape, conv.weights.withUnsafeBufferPointer { Data(buffer: $0) }))
            entries.append((Self.scaleName(name), "F32", [conv.weightScales.count], floats(conv.weightScales)))
            if let bias = conv.bias { entries.append((Self.biasName(name), "F32", [bias.count], floats(bias))) }
        }
        for (name, values) in floatTensors.sorted(by: { $0.key < $1.key }) {
            entries.append((name, "F32", [values.count], floats(values)))
        }
        for (label, scales) in activationScales.sorted(by: { $0.key < $1.key }) {
            entries.append((Self.activationPrefix + label, "F32", [scales.count], floats(scales)))
        }
        var header: [String: Any] = [:]
        header["__metadata__"] = metadata
        var offset = 0
        for entry in entries {
            var shape = entry.shape
            // Float tensors keep smp's shape where the network checks it.
            if entry.dtype == "F32", let original = floatShapes[entry.name] { shape = original }
            header[entry.name] = ["dtype": entry.dtype, "shape": shape, "data_offsets": [offset, offset + entry.bytes.count]] as [String: Any]
            offset += entry.bytes.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var output = Data()
        var length = UInt64(json.count).littleEndian
        output.append(Data(bytes: &length, count: 8))
        output.append(json)
        for entry in entries { output.append(entry.bytes) }
        return output
    }

}
