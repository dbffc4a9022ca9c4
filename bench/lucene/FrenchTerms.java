import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.util.Version;

/**
 * Reads texts from stdin (UTF-8, one per line) and prints, per line, the terms that Lucene's
 * FrenchAnalyzer (default stop set, default settings) produces, tab-separated. With the
 * argument --version it prints the Lucene version instead.
 */
public final class FrenchTerms {
  public static void main(String[] args) throws IOException {
    Writer out =
        new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    if (args.length > 0 && args[0].equals("--version")) {
      out.write(Version.LATEST.toString() + "\n");
      out.flush();
      return;
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (Analyzer analyzer = new FrenchAnalyzer()) {
      String line;
      while ((line = in.readLine()) != null) {
        StringBuilder terms = new StringBuilder();
        try (TokenStream stream = analyzer.tokenStream("text", line)) {
          CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
          stream.reset();
          while (stream.incrementToken()) {
            if (terms.length() > 0) {
              terms.append('\t');
            }
            terms.append(term);
          }
          stream.end();
        }
        // '\n' whatever the platform, so the reader splits lines the same way everywhere.
        out.write(terms.append('\n').toString());
      }
    }
    out.flush();
  }
}
