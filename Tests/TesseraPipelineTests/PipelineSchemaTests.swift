import Foundation
import Testing
import TesseraPipeline
import TesseraTestSupport

private let schemaFile = Fixtures.repositoryRoot.appendingPathComponent("schemas/pipeline.schema.json")
private let pipelinesDirectory = Fixtures.repositoryRoot.appendingPathComponent("pipelines")
private let invalidPipelines = Fixtures.directory.appendingPathComponent("pipelines/invalid")

private func yamlFiles(in directory: URL) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "yaml" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// Diagnostics a pipeline file produces (empty when it is valid).
private func diagnostics(of file: URL) -> [PipelineDiagnostic] {
    do {
        _ = try PipelineDefinition.load(file: file)
        return []
    } catch {
        #expect(error.kind == .invalidPipeline, "\(file.lastPathComponent): \(error)")
        return error.diagnostics
    }
}

@Test func compiledInSchemaIsTheSchemaFile() throws {
    let fileText = try String(contentsOf: schemaFile, encoding: .utf8)
    // Compiled in at build time by the TesseraEmbeddedFiles plugin, byte for byte.
    #expect(PipelineSchema.text == fileText, "the binary does not carry schemas/pipeline.schema.json byte for byte")
}

@Test func validatorImplementsEveryKeywordTheSchemaUses() throws {
    _ = try PipelineSchema.validator()
}

@Test func validatorRefusesSchemaKeywordsItDoesNotImplement() throws {
    let schema = try DocumentValue.parseYAML(
        #"{"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}}"#).get()
    do {
        _ = try SchemaValidator(schema: schema)
        Issue.record("a schema using oneOf was accepted")
    } catch {
        #expect(error.kind == .schemaUnsupported)
        #expect(error.message.contains("properties.a.oneOf"))
    }
}

@Test func shippedPipelinesAreValid() throws {
    let files = try yamlFiles(in: pipelinesDirectory)
    #expect(files.map(\.lastPathComponent).contains("default.yaml"))
    #expect(files.map(\.lastPathComponent).contains("nightly.yaml"))
    for file in files {
        #expect(diagnostics(of: file).isEmpty, "\(file.lastPathComponent)")
    }
}

/// Each invalid fixture lists, in `# expect:` comments, exactly the diagnostics Tessera must report for it.
@Test func invalidPipelinesReportEveryProblemWithLineAndKeyPath() throws {
    let files = try yamlFiles(in: invalidPipelines)
    #expect(files.count >= 7)
    for file in files {
        let expected = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("# expect: ") }.map { String($0.dropFirst("# expect: ".count)) }
        #expect(!expected.isEmpty, "\(file.lastPathComponent) lists no expected diagnostics")
        #expect(diagnostics(of: file).map(\.description) == expected, "\(file.lastPathComponent)")
    }
}

@Test func oneFileWithManyProblemsReportsThemAll() throws {
    let found = diagnostics(of: invalidPipelines.appendingPathComponent("wrong-types.yaml"))
    #expect(found.count == 10)
    #expect(Set(found.map(\.line)) == [2, 3, 4, 5, 7, 8, 10, 11, 12])
}

@Test func quotedScalarsAreStringsAndYesIsABoolean() throws {
    let document = try DocumentValue.parseYAML("""
        a: "123"
        b: 123
        c: yes
        d: 'null'
        e: ~
        f: 0.5
        """).get()
    #expect(document["a"]?.content == .string("123"))
    #expect(document["b"]?.content == .integer(123))
    #expect(document["c"]?.content == .bool(true))
    #expect(document["d"]?.content == .string("null"))
    #expect(document["e"]?.content == .null)
    #expect(document["f"]?.content == .number(0.5))
    #expect(document["f"]?.line == 6)
}

// MARK: - Agreement with Python's jsonschema

/// The Python that scripts/check-pipeline-schema uses: python3 when it has jsonschema and PyYAML, else the one in
/// tools/.venv that the script installs them into (scripts/test runs the script before the Swift tests).
private let schemaCheckPython: URL? = {
    let candidates = [ChildProcess.onPath("python3"),
                      Fixtures.repositoryRoot.appendingPathComponent("tools/.venv/bin/python")].compactMap { $0 }
    return candidates.first { (try? ChildProcess.run($0, ["-c", "import jsonschema, yaml"]).status) == 0 }
}()

private struct PythonVerdict: Decodable {
    var file: String
    var yaml_error: Bool
    var errors: [[String]]
}

@Test func swiftValidatorAgreesWithPythonJSONSchema() throws {
    guard let python = schemaCheckPython else {
        let reason = "neither python3 nor tools/.venv has jsonschema and PyYAML: run scripts/check-pipeline-schema"
        // In CI the check must run: scripts/test makes the venv first.
        if TestEnvironment.isCI { Issue.record(Comment(rawValue: reason)); return }
        try Test.cancel(Comment(rawValue: reason))   // reported as skipped, with the reason
    }
    let files = try yamlFiles(in: pipelinesDirectory) + yamlFiles(in: invalidPipelines)
    let result = try ChildProcess.run(python, ["tools/check_pipeline_schema.py", schemaFile.path] + files.map(\.path),
                                      currentDirectory: Fixtures.repositoryRoot)
    let verdicts = try result.stdout.split(separator: "\n").map {
        try JSONDecoder().decode(PythonVerdict.self, from: Data($0.utf8))
    }
    #expect(verdicts.count == files.count)
    for (file, verdict) in zip(files, verdicts) {
        let swift = diagnostics(of: file)
        let swiftSchemaErrors = Set(swift.compactMap { diagnostic in
            diagnostic.schemaKeyword.map { [$0, diagnostic.keyPath] }
        })
        #expect(swiftSchemaErrors == Set(verdict.errors), "\(file.lastPathComponent)")
        let swiftSyntaxError = swift.contains { $0.message.hasPrefix("YAML syntax error") }
        #expect(swiftSyntaxError == verdict.yaml_error, "\(file.lastPathComponent)")
    }
    // The agreement must be about something: the fixtures carry errors of every keyword the schema uses.
    let keywords = Set(verdicts.flatMap { $0.errors.map { $0[0] } })
    #expect(keywords.isSuperset(of: ["type", "const", "required", "additionalProperties", "minItems", "minLength",
                                     "pattern", "minimum", "maximum", "exclusiveMinimum", "multipleOf"]))
}
