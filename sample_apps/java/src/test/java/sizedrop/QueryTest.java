package sizedrop;

public class QueryTest {

    public void testAbsentQuery() {
        Check.equal(null, Query.first(null, "n"));
        Check.equal(null, Query.first("", "n"));
        Check.equal(null, Query.first("m=5", "n"));
        Check.equal(null, Query.first("nn=5&N=5", "n"));
    }

    public void testSimpleValue() {
        Check.equal("30", Query.first("n=30", "n"));
        Check.equal("30", Query.first("x=1&n=30&y=2", "n"));
    }

    public void testFirstOccurrenceWins() {
        Check.equal("5", Query.first("n=5&n=7", "n"));
        Check.equal("", Query.first("n=&n=7", "n"));
        Check.equal("abc", Query.first("n=abc&n=7", "n"));
    }

    public void testEmptyValues() {
        Check.equal("", Query.first("n=", "n"));
        Check.equal("", Query.first("n", "n"));
        Check.equal("", Query.first("a=1&n&n=5", "n"));
    }

    public void testPercentDecoding() {
        Check.equal("30", Query.first("n=%33%30", "n"));
        Check.equal("30", Query.first("%6E=30", "n")); // the name is decoded too
        Check.equal("+5", Query.first("n=%2B5", "n"));
        Check.equal("-5", Query.first("n=%2D5", "n"));
        Check.equal("a&b", Query.first("n=a%26b", "n"));
        Check.equal("x=y", Query.first("n=x=y", "n")); // only the first '=' splits
    }

    public void testPlusIsASpace() {
        Check.equal(" 5", Query.first("n=+5", "n"));
        Check.equal("5 ", Query.first("n=5+", "n"));
    }

    public void testBrokenEscapesAreKeptAsTyped() {
        Check.equal("%zz", Query.first("n=%zz", "n"));
        Check.equal("5%", Query.first("n=5%", "n"));
        Check.equal("%3", Query.first("n=%3", "n"));
    }
}
