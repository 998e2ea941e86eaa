import Foundation
import TesseraCore
import TesseraStore

/// The index page: every run of the results file, newest first, each with a sortable table of its slides (status,
/// tiles, tissue and analysed mm², and each class's area from the `slide_class_areas` view). Failed slides show
/// their error; every slide links to its viewer.
enum IndexPage {
    static func render(runs: [RunListing], resultsPath: String) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Tessera results</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/static/tessera.css">
            <script src="/static/index.js" defer></script>
            </head><body class="index">
            <header><h1>Tessera results</h1><p class="source">\(escape(resultsPath))</p></header>
            <main>

            """
        if runs.isEmpty {
            html += "<p class=\"empty\">The results file holds no runs yet.</p>\n"
        }
        for run in runs {
            html += section(run)
        }
        html += "</main></body></html>\n"
        return html
    }

    private static func section(_ run: RunListing) -> String {
        let done = run.slides.filter { $0.status == "done" }.count
        let failed = run.slides.filter { $0.status == "failed" }.count
        var html = """
            <section class="run" id="run-\(run.id)">
            <h2>Run \(escape(String(run.runUID.prefix(8)))) <span class="status status-\(escape(run.status))">\(escape(run.status))</span></h2>
            <p class="run-facts">\(run.pipelineName.map { "pipeline <b>\(escape($0))</b> · " } ?? "")model \
            <b>\(escape(run.modelName))</b> · started \(escape(run.startedAt))\(run.finishedAt.map { " · finished \(escape($0))" } ?? "") · \
            \(run.slides.count) slide\(run.slides.count == 1 ? "" : "s"), \(done) done, \(failed) failed · \
            <a class="csv" href="/runs/\(escape(run.runUID))/slide-summary.csv" download>slide summary as CSV</a></p>
            <table class="slides sortable"><thead><tr>
            <th data-type="text">slide</th><th data-type="text">status</th><th data-type="number">tiles</th>
            <th data-type="number">tissue mm²</th><th data-type="number">analysed mm²</th>
            """
        for modelClass in run.classes {
            html += "<th data-type=\"number\" class=\"class-column\"><span class=\"swatch\" style=\"background:"
                + "\(escape(safeColour(modelClass.colour)))\"></span>\(escape(modelClass.name)) mm² in tissue "
                + "(% of tissue)</th>"
        }
        // Nuclei columns only for a run that counted them (slide_nuclei).
        let countsNuclei = run.slides.contains { $0.nuclei != nil }
        if countsNuclei {
            html += "<th data-type=\"number\">nuclei in tissue</th><th data-type=\"number\">nuclei per mm² of tissue</th>"
        }
        html += "</tr></thead><tbody>\n"
        for slide in run.slides {
            html += row(slide, classes: run.classes, nucleiColumns: countsNuclei)
        }
        html += "</tbody></table></section>\n"
        return html
    }

    private static func row(_ slide: SlideListing, classes: [ClassInfo], nucleiColumns: Bool) -> String {
        var html = "<tr class=\"slide status-\(escape(slide.status))\">"
        html += "<td data-value=\"\(escape(slide.name))\"><a href=\"/slides/\(slide.id)\"><img class=\"thumbnail\" "
            + "loading=\"lazy\" alt=\"\" src=\"/slides/\(slide.id)/thumbnail.jpg\">"
            + "\(escape(slide.name))</a>"
            + "<div class=\"path\">\(escape(slide.slidePath))</div>"
        if let error = slide.error, !error.isEmpty {
            html += "<div class=\"error\">\(escape(error))</div>"
        }
        // A badge and the reasons when the numbers need a person's eye (review_flags), and a superseded analysis.
        if !slide.review.isEmpty {
            html += "<div class=\"review\"><span class=\"badge badge-review\">needs review</span> "
                + slide.review.map { "<span class=\"review-reason\" title=\"\(escape($0.message))\">\(escape($0.code.rawValue))</span>" }
                    .joined(separator: ", ") + "</div>"
        }
        // The slide QC's verdict as a badge when it is not a pass, with the artefact areas it found (slide_qc).
        if let qc = slide.qc, qc.verdict != "pass" {
            let found = qc.kinds.filter { $0.areaMM2 > 0 }
                .map { "<span class=\"qc-kind\">\(escape($0.kind)) \(String(format: "%.3f", $0.areaMM2)) mm²</span>" }
            html += "<div class=\"qc\"><span class=\"badge badge-qc-\(escape(qc.verdict))\" title=\"\(escape(qc.reason))\">"
                + "QC \(escape(qc.verdict))</span> " + found.joined(separator: ", ") + "</div>"
        }
        if !slide.isCurrent {
            html += "<div class=\"superseded\"><span class=\"badge badge-superseded\">superseded</span> the file at this "
                + "path now holds other content</div>"
        }
        html += "</td>"
        html += "<td data-value=\"\(escape(slide.status))\"><span class=\"status status-\(escape(slide.status))\">"
            + "\(escape(slide.status))</span></td>"
        let tiles = slide.tilesPlanned.map { "\(slide.tilesWritten) / \($0)" } ?? "\(slide.tilesWritten)"
        html += "<td class=\"number\" data-value=\"\(slide.tilesWritten)\">\(tiles)</td>"
        html += numberCell(slide.tissueMM2)
        html += numberCell(slide.analysedMM2)
        for modelClass in classes {
            let area = slide.classAreas.first { $0.classIndex == modelClass.index }
            // The class inside the tissue and its share of the tissue: the shares of a slide add up to 100%
            // (slide_class_areas). Rows from before schema v5 have neither: a dash, not a guess.
            var cell = numberCell(area?.tissueMM2)
            if let fraction = area?.fractionOfTissue {
                cell = cell.replacingOccurrences(of: "</td>", with: String(format: " <span class=\"share\">(%.1f%%)</span></td>", fraction * 100))
            }
            html += cell
        }
        if nucleiColumns {
            html += slide.nuclei.map { "<td class=\"number nuclei\" data-value=\"\($0)\">\($0)</td>" }
                ?? "<td class=\"number\" data-value=\"\">–</td>"
            html += slide.nucleiPerMM2.map { "<td class=\"number\" data-value=\"\($0)\">\(String(format: "%.0f", $0))</td>" }
                ?? "<td class=\"number\" data-value=\"\">–</td>"
        }
        return html + "</tr>\n"
    }

    private static func numberCell(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "<td class=\"number\" data-value=\"\">–</td>" }
        return "<td class=\"number\" data-value=\"\(value)\">\(String(format: "%.3f", value))</td>"
    }

    /// Only "#rrggbb" reaches a style attribute.
    static func safeColour(_ colour: String) -> String {
        let hex = colour.dropFirst()
        return colour.hasPrefix("#") && hex.count == 6 && hex.allSatisfy(\.isHexDigit) ? colour : "#808080"
    }

    static func escape(_ text: String) -> String { MarkupText.escaped(text) }
}
