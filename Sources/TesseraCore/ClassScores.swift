/// The class of one pixel from planar class scores (class c of the pixel at `c * plane + pixel`: the network's
/// logits or probabilities, C x H x W): the highest-scoring class, the first on ties.
@inlinable public func bestClass(_ scores: [Float], classes: Int, plane: Int, pixel: Int) -> Int {
    var best = 0
    for c in 1..<max(classes, 1) where scores[c * plane + pixel] > scores[best * plane + pixel] { best = c }
    return best
}

/// Every pixel's class (`bestClass`) from planar class scores, as a label image (at most 256 classes).
public func classLabels(_ scores: [Float], classes: Int, plane: Int) -> [UInt8] {
    precondition(classes <= 256, "class labels are bytes")
    return (0..<plane).map { UInt8(bestClass(scores, classes: classes, plane: plane, pixel: $0)) }
}
