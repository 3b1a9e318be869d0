// Validates the OpenAPI document against the OpenAPI 3.1 schema and resolves every $ref
// (@apidevtools/swagger-parser), then checks the conventions API.md fixes for every operation.
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
const api = await SwaggerParser.validate(file);
const problems = [];
for (const [path, item] of Object.entries(api.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    if (method === "parameters") continue;
    if (!operation.operationId) problems.push(`${method} ${path}: no operationId`);
    if (!operation.responses || Object.keys(operation.responses).length === 0)
      problems.push(`${method} ${path}: no responses`);
    const isOrganiserWrite = operation.security && method !== "get";
    if (isOrganiserWrite && !operation.responses["401"]) problems.push(`${method} ${path}: an organiser operation without 401`);
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`${file}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
