/// Round-to-nearest (ties to even) of a Float to an integer byte in a form LLVM vectorises on baseline x86-64, which has
/// no vector round instruction (Swift's `rounded()` calls libm's rintf there, per element). Adding 1.5 x 2^23 to a
/// value of magnitude under 2^22 leaves the rounded integer in the low mantissa bits; subtracting the bias's bit pattern
/// reads it back. Used in two steps where a loop does float work in one pass and stores bytes in the next (Reinhard),
/// or in one (`VectorRounding.byte`, the int8 kernels).
public enum VectorRounding {
    /// `value` + 1.5 x 2^23: the rounded integer now sits in the low mantissa bits. |value| < 2^22.
    @inlinable @inline(__always) public static func biased(_ value: Float) -> Float { value + 12_582_912 }

    /// The low byte of the integer a `biased` value holds (two's complement: serves s8 and u8 alike).
    @inlinable @inline(__always) public static func lowByte(ofBiased biased: Float) -> UInt8 {
        UInt8(truncatingIfNeeded: biased.bitPattern &- 0x4B40_0000)
    }

    /// `value` clamped to [low, high] (integers), rounded to nearest, as one byte.
    @inlinable @inline(__always) public static func byte(_ value: Float, low: Float, high: Float) -> UInt8 {
        lowByte(ofBiased: biased(min(max(value, low), high)))
    }
}
