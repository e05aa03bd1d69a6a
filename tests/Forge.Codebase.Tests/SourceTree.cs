using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Forge.Codebase.Tests;

/// <summary>The C# files of the repository's src/ folder, parsed (build outputs excluded).</summary>
public static class SourceTree
{
    public static string RepositoryRoot { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Forge.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Forge.sln above {AppContext.BaseDirectory}");
    }

    public static IEnumerable<(string Path, SyntaxTree Tree)> Files(string folder = "src") =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot, folder), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal)
            .Select(p => (Path.GetRelativePath(RepositoryRoot, p), CSharpSyntaxTree.ParseText(File.ReadAllText(p), path: p)));

    /// <summary>Every method-like body: methods, constructors, accessors, operators and local functions, with a readable name.</summary>
    public static IEnumerable<(string Name, SyntaxNode Node)> Methods(SyntaxTree tree)
    {
        foreach (var node in tree.GetRoot().DescendantNodes())
        {
            string? name = node switch
            {
                MethodDeclarationSyntax m => m.Identifier.Text,
                ConstructorDeclarationSyntax c => c.Identifier.Text + " (constructor)",
                LocalFunctionStatementSyntax l => l.Identifier.Text + " (local function)",
                AccessorDeclarationSyntax a when a.Body is not null || a.ExpressionBody is not null => $"{a.Keyword.Text} accessor",
                OperatorDeclarationSyntax o => "operator " + o.OperatorToken.Text,
                ConversionOperatorDeclarationSyntax => "conversion operator",
                _ => null,
            };
            if (name is null) continue;
            var type = node.Ancestors().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault()?.Identifier.Text;
            yield return (type is null ? name : $"{type}.{name}", node);
        }
    }

    /// <summary>Lines from the declaration (attributes included, doc comments not) to its closing brace.</summary>
    public static int LineCount(SyntaxNode node)
    {
        var span = node.GetLocation().GetLineSpan();
        return span.EndLinePosition.Line - span.StartLinePosition.Line + 1;
    }
}
