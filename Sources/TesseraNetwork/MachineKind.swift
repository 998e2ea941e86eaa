import CDNNL
import Foundation
import TesseraCore

/// What decides how fast each precision runs here: the CPU model, the instruction set oneDNN dispatches, the oneDNN
/// version and which int8 kernels Tessera uses. `--precision auto` keys its cached measurement on it.
public enum MachineKind {
    /// The CPU's model name ("AMD EPYC", "Intel(R) Xeon(R) Platinum 8480+"), from /proc/cpuinfo; "unknown" elsewhere.
    public static let cpuModel: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return "unknown"
    }()

    /// The instruction set oneDNN dispatches here, as oneDNN names it.
    public static var instructionSet: String {
        let isa = dnnl_get_effective_cpu_isa()
        let names: [(dnnl_cpu_isa_t, String)] = [
            (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
            (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"), (dnnl_cpu_isa_avx512_core, "avx512_core"),
            (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
            (dnnl_cpu_isa_sse41, "sse41"),
        ]
        return names.first { isa.rawValue & $0.0.rawValue == $0.0.rawValue }?.1 ?? "isa \(isa.rawValue)"
    }

    /// The int8 kernels the network uses for its depthwise convolutions here.
    public static var int8DepthwiseKernels: String { Int8Depthwise.replacesOneDNN ? "tessera_int8_dw:avx2" : "onednn" }

    /// The int8 kernels the network uses for its s8-out 1x1 convolutions (expand, project) here.
    public static var int8PointwiseKernels: String { Int8Pointwise.replacesOneDNN ? "tessera_int8_1x1:avx2" : "onednn" }

    /// One line naming all of it, for provenance and cache keys.
    public static var description: String {
        "\(cpuModel); \(instructionSet); oneDNN \(Segmenter.libraryVersion); int8 depthwise \(int8DepthwiseKernels); int8 1x1 \(int8PointwiseKernels); Tessera \(BuildInfo.gitCommit ?? TesseraVersion.string)"
    }
}
