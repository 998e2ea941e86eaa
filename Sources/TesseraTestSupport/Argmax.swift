/// The class with the highest value at `pixel` of planar values (class c of the pixel at `c * plane + pixel`); the
/// first such class on ties. For comparing segmentations with their references.
public func argmax(_ values: [Float], classes: Int, plane: Int, pixel: Int) -> Int {
    var best = 0
    for c in 1..<max(classes, 1) where values[c * plane + pixel] > values[best * plane + pixel] { best = c }
    return best
}
