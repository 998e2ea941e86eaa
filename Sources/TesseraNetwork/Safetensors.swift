import Foundation
import TesseraCore

/// One tensor's entry in a safetensors header.
public struct TensorInfo: Sendable, Equatable {
    public enum DType: String, Sendable { case f32 = "F32", f16 = "F16", bf16 = "BF16", u8 = "U8", i8 = "I8" }
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// Byte range inside the data section (after the header).
    public var byteRange: Range<Int>
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A memory-mapped safetensors file (https://github.com/huggingface/safetensors: 8-byte little-endian header length,
/// a JSON header, then the data). Every offset in the header is checked against the file before use.
public struct SafetensorsFile: Sendable {
    public let url: URL
    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]
    /// The whole file, memory-mapped.
    let data: Data
    let dataStart: Int

    public init(contentsOf url: URL) throws {
        let path = url.path
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw WeightsError(.unreadable, "cannot read the file: \(SystemErrorText.describe(error))", file: path)
        }
        try self.init(data: data, url: url)
    }

    init(data: Data, url: URL) throws {
        let path = url.path
        guard data.count >= 8 else {
            throw WeightsError(.truncated, "file is \(data.count) bytes, shorter than the 8-byte header length; the file is truncated", file: path)
        }
        // Every size and offset below comes from the file: each is range-checked before it becomes an Int, and
        // products and sums use checked arithmetic, so no header can trap or point outside the mapping.
        let declaredHeaderLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)) }
        guard declaredHeaderLength > 1, declaredHeaderLength <= 100_000_000 else {
            throw WeightsError(.malformedHeader, "header length \(declaredHeaderLength) is not plausible (2 to 100,000,000 bytes); not a safetensors file", file: path)
        }
        let headerLength = Int(declaredHeaderLength)
        guard 8 + headerLength <= data.count else {
            throw WeightsError(.truncated, "header claims \(headerLength) bytes but the file has only \(data.count - 8) after the length; the file is truncated", file: path)
        }
        let headerData = data.subdata(in: 8..<(8 + headerLength))
        guard let json = try? JSONSerialization.jsonObject(with: headerData), let header = json as? [String: Any] else {
            throw WeightsError(.malformedHeader, "header is not a JSON object", file: path)
        }
        let dataStart = 8 + headerLength
        let dataLength = data.count - dataStart
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                guard let entries = value as? [String: Any] else {
                    throw WeightsError(.malformedHeader, "__metadata__ is not an object", file: path)
                }
                for (key, item) in entries { metadata[key] = item as? String ?? "\(item)" }
                continue
            }
            guard let entry = value as? [String: Any], let dtypeName = entry["dtype"] as? String,
                  let shapeValues = entry["shape"] as? [Any], let offsets = entry["data_offsets"] as? [Any], offsets.count == 2
            else { throw WeightsError(.malformedHeader, "entry lacks dtype, shape or data_offsets", file: path, tensor: name) }
            guard let dtype = TensorInfo.DType(rawValue: dtypeName) else {
                throw WeightsError(.unsupportedDType, "dtype \(dtypeName) is not supported (F32, F16, BF16 are)", file: path, tensor: name)
            }
            let shape = shapeValues.compactMap(Self.nonNegativeInteger)
            let bounds = offsets.compactMap(Self.nonNegativeInteger)
            guard shape.count == shapeValues.count, bounds.count == 2 else {
                throw WeightsError(.malformedHeader, "shape or data_offsets are not non-negative integers", file: path, tensor: name)
            }
            let elementSize: Int = switch dtype { case .f32: 4; case .f16, .bf16: 2; case .u8, .i8: 1 }
            guard let byteCount = Self.checkedProduct(shape + [elementSize]) else {
                throw WeightsError(.tensorOutOfBounds, "shape \(shape) x \(elementSize) bytes overflows 64 bits; the header is corrupt", file: path, tensor: name)
            }
            guard bounds[0] <= bounds[1], bounds[1] - bounds[0] == byteCount else {
                throw WeightsError(.tensorOutOfBounds, "data_offsets \(bounds) do not hold \(shape) x \(elementSize) bytes", file: path, tensor: name)
            }
            guard bounds[1] <= dataLength else {
                throw WeightsError(.truncated, "tensor data ends at byte \(bounds[1]) but the data section has \(dataLength) bytes; the file is truncated", file: path, tensor: name)
            }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: shape, byteRange: bounds[0]..<bounds[1])
        }
        // Two tensors sharing bytes would each read the other's values: the header is corrupt.
        let byStart = tensors.values.filter { !$0.byteRange.isEmpty }
            .sorted { ($0.byteRange.lowerBound, $0.name) < ($1.byteRange.lowerBound, $1.name) }
        for (previous, next) in zip(byStart, byStart.dropFirst()) where next.byteRange.lowerBound < previous.byteRange.upperBound {
            throw WeightsError(.tensorOutOfBounds, "data_offsets \([next.byteRange.lowerBound, next.byteRange.upperBound]) overlap "
                               + "those of \(previous.name) \([previous.byteRange.lowerBound, previous.byteRange.upperBound]); the header is corrupt",
                               file: path, tensor: next.name)
        }
        self.url = url
        self.data = data
        self.dataStart = dataStart
        self.tensors = tensors
        self.metadata = metadata
    }

    /// A JSON number that is a whole number from 0 to Int.max, exactly (no rounding of 2.5 or 1e30).
    static func nonNegativeInteger(_ value: Any) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        let double = number.doubleValue
        guard double.isFinite, double >= 0, double < 9_223_372_036_854_775_808.0, double.rounded() == double else { return nil }
        let integer = number.int64Value
        return integer >= 0 && Double(integer) == double ? Int(integer) : nil
    }

    /// The product of `factors`, or nil when it overflows Int.
    static func checkedProduct(_ factors: [Int]) -> Int? {
        var product = 1
        for factor in factors {
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            product = next
        }
        return product
    }

    /// The tensor's values as Float (F16 and BF16 upcast), checked to have `shape` when one is given.
    public func floats(_ name: String, shape expected: [Int]? = nil) throws -> [Float] {
        guard let info = tensors[name] else {
            throw WeightsError(.missingTensor, "tensor is missing" + (expected.map { "; expected shape \($0)" } ?? ""), file: url.path, tensor: name)
        }
        if let expected, expected != info.shape {
            throw WeightsError(.shapeMismatch, "shape \(info.shape) in the file, the network expects \(expected)", file: url.path, tensor: name)
        }
        guard info.dtype != .u8 else {
            throw WeightsError(.unsupportedDType, "dtype U8 cannot be a weight (F32, F16, BF16 are)", file: url.path, tensor: name)
        }
        let count = info.elementCount
        let start = dataStart + info.byteRange.lowerBound
        return data.withUnsafeBytes { raw -> [Float] in
            let base = raw.baseAddress!.advanced(by: start)
            return [Float](unsafeUninitializedCapacity: count) { out, initialised in
                switch info.dtype {
                case .f32:
                    for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
                case .f16:
                    for i in 0..<count { out[i] = Float(Float16(bitPattern: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))) }
                case .bf16:
                    for i in 0..<count { out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16) }
                case .u8:
                    for i in 0..<count { out[i] = Float(base.load(fromByteOffset: i, as: UInt8.self)) }
                case .i8:
                    for i in 0..<count { out[i] = Float(base.load(fromByteOffset: i, as: Int8.self)) }
                }
                initialised = count
            }
        }
    }

    /// Raw bytes of a U8 tensor (test fixtures hold RGB tiles this way).
    public func bytes(_ name: String) throws -> [UInt8] {
        guard let info = tensors[name] else { throw WeightsError(.missingTensor, "tensor is missing", file: url.path, tensor: name) }
        guard info.dtype == .u8 else { throw WeightsError(.unsupportedDType, "dtype \(info.dtype.rawValue), expected U8", file: url.path, tensor: name) }
        let start = dataStart + info.byteRange.lowerBound
        return [UInt8](data[start..<(start + info.elementCount)])
    }
}
