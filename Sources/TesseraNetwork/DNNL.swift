import CDNNL
import Foundation

// Thin owners of oneDNN handles. Every dnnl_status_t goes through `dnnlCheck`, the one place that turns a failing
// call into a NetworkError naming the layer.

func dnnlCheck(_ status: dnnl_status_t, _ context: @autoclosure () -> String) throws {
    guard status != dnnl_success else { return }
    let meaning: String = switch status {
    case dnnl_out_of_memory: "out of memory"
    case dnnl_invalid_arguments: "invalid arguments"
    case dnnl_unimplemented: "no implementation for this configuration"
    case dnnl_runtime_error: "runtime error"
    default: "failed"
    }
    throw NetworkError(.oneDNN, "oneDNN: \(meaning)", code: Int32(bitPattern: status.rawValue), context: context())
}

enum DNNLArgument {
    static let src: Int32 = 1          // DNNL_ARG_SRC
    static let source1: Int32 = 2      // DNNL_ARG_SRC_1
    static let dst: Int32 = 17         // DNNL_ARG_DST
    static let weights: Int32 = 33     // DNNL_ARG_WEIGHTS
    static let bias: Int32 = 41        // DNNL_ARG_BIAS
    static let scratchpad: Int32 = 80  // DNNL_ARG_SCRATCHPAD
    /// The second source of the binary post-op at `index`: DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1.
    static func postOpSource1(_ index: Int32) -> Int32 { 16384 * (index + 1) | source1 }
}

/// A CPU engine and an in-order stream on it.
final class DNNLEngine {
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    init() throws {
        var engine: dnnl_engine_t?
        try dnnlCheck(dnnl_engine_create(&engine, dnnl_cpu, 0), "creating the oneDNN CPU engine")
        var stream: dnnl_stream_t?
        let status = dnnl_stream_create(&stream, engine, UInt32(dnnl_stream_default_flags.rawValue))
        if status != dnnl_success { dnnl_engine_destroy(engine) }
        try dnnlCheck(status, "creating the oneDNN stream")
        self.engine = engine!
        self.stream = stream!
    }

    deinit {
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
    }
}

/// 64-byte aligned memory, zero-filled (oneDNN expects the padded channels of blocked layouts to be zero).
final class AlignedBuffer {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        self.byteCount = max(byteCount, 64)
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, self.byteCount) == 0, let raw else { fatalError("out of memory allocating \(byteCount) bytes") }
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: self.byteCount)
        pointer = raw
    }

    var floats: UnsafeMutablePointer<Float> { pointer.assumingMemoryBound(to: Float.self) }

    deinit { free(pointer) }
}

func memoryDescriptor(_ dims: [Int], _ tag: dnnl_format_tag_t, type: dnnl_data_type_t = dnnl_f32,
                      context: @autoclosure () -> String) throws -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    let values = dims.map { Int64($0) }
    try dnnlCheck(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), values, type, tag), context())
    return md
}

func byteCount(_ md: dnnl_memory_desc_t) -> Int {
    var copy = md
    return dnnl_memory_desc_get_size(&copy)
}

func sameLayout(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
    var x = a, y = b
    return dnnl_memory_desc_equal(&x, &y) != 0
}

/// A memory object over a buffer that Tessera owns (the buffer outlives it: it holds a reference).
final class MemoryObject {
    let memory: dnnl_memory_t
    let descriptor: dnnl_memory_desc_t
    let buffer: AlignedBuffer

    init(_ md: dnnl_memory_desc_t, buffer: AlignedBuffer, engine: DNNLEngine, context: @autoclosure () -> String) throws {
        precondition(byteCount(md) <= buffer.byteCount, "buffer too small for the memory descriptor")
        var copy = md
        var memory: dnnl_memory_t?
        try dnnlCheck(dnnl_memory_create(&memory, &copy, engine.engine, buffer.pointer), context())
        self.memory = memory!
        self.descriptor = md
        self.buffer = buffer
    }

    deinit { dnnl_memory_destroy(memory) }
}

/// Post-operations fused into a convolution, in order.
enum PostOp {
    case swish, relu, sigmoid
    /// dst = result + previous dst (a residual add or a split-concat accumulation).
    case sum
}

/// Primitive attributes: user-managed scratchpad (one shared buffer) and post-ops.
final class PrimitiveAttributes {
    let attr: dnnl_primitive_attr_t

    init(postOps: [PostOp], context: @autoclosure () -> String) throws {
        var attr: dnnl_primitive_attr_t?
        try dnnlCheck(dnnl_primitive_attr_create(&attr), context())
        self.attr = attr!
        try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), context())
        guard !postOps.isEmpty else { return }
        var ops: dnnl_post_ops_t?
        try dnnlCheck(dnnl_post_ops_create(&ops), context())
        defer { dnnl_post_ops_destroy(ops) }
        for op in postOps {
            switch op {
            case .swish: try dnnlCheck(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_swish, 1, 0), context())
            case .relu: try dnnlCheck(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), context())
            case .sigmoid: try dnnlCheck(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_logistic, 0, 0), context())
            case .sum: try dnnlCheck(dnnl_post_ops_append_sum(ops, 1), context())
            }
        }
        try dnnlCheck(dnnl_primitive_attr_set_post_ops(attr, ops), context())
    }

    deinit { dnnl_primitive_attr_destroy(attr) }
}

/// A primitive descriptor: what oneDNN chose (layouts, implementation) for one operation.
final class PrimitiveDescriptor {
    let descriptor: dnnl_primitive_desc_t

    init(_ descriptor: dnnl_primitive_desc_t) { self.descriptor = descriptor }

    func memoryDescriptor(_ query: dnnl_query_t, index: Int32 = 0) -> dnnl_memory_desc_t {
        dnnl_primitive_desc_query_md(descriptor, query, index).pointee
    }

    var implementation: String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name else { return "?" }
        return String(cString: name)
    }

    deinit { dnnl_primitive_desc_destroy(descriptor) }
}

/// A built primitive, ready to execute many times.
final class Primitive {
    let primitive: dnnl_primitive_t
    let descriptor: PrimitiveDescriptor

    init(_ descriptor: PrimitiveDescriptor, context: @autoclosure () -> String) throws {
        var primitive: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&primitive, descriptor.descriptor), context())
        self.primitive = primitive!
        self.descriptor = descriptor
    }

    deinit { dnnl_primitive_destroy(primitive) }

    /// A reorder between two layouts.
    static func reorder(from source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t, engine: DNNLEngine,
                        context: @autoclosure () -> String) throws -> Primitive {
        var src = source, dst = destination
        var pd: dnnl_primitive_desc_t?
        try dnnlCheck(dnnl_reorder_primitive_desc_create(&pd, &src, engine.engine, &dst, engine.engine, nil), context())
        return try Primitive(PrimitiveDescriptor(pd!), context: context())
    }
}

/// Runs `body(range)` on `threads` OpenMP threads (the pool oneDNN uses), splitting 0..<count into contiguous parts.
func parallelFor(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    if threads <= 1 || count == 1 { body(0..<count); return }
    withoutActuallyEscaping(body) { escapable in
        let job = ParallelJob(count: count, body: escapable)
        let unmanaged = Unmanaged.passRetained(job)
        GOMP_parallel({ raw in
            let job = Unmanaged<ParallelJob>.fromOpaque(raw!).takeUnretainedValue()
            let thread = Int(omp_get_thread_num()), total = Int(omp_get_num_threads())
            let start = job.count * thread / total, end = job.count * (thread + 1) / total
            if start < end { job.body(start..<end) }
        }, unmanaged.toOpaque(), UInt32(min(threads, count)), 0)
        unmanaged.release()
    }
}

private final class ParallelJob {
    let count: Int
    let body: (Range<Int>) -> Void
    init(count: Int, body: @escaping (Range<Int>) -> Void) { self.count = count; self.body = body }
}
