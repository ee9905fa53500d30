/*
 * PeppolValidateSaxon.java - the official validator's way, timed: Saxon-HE
 * running the official compiled Schematron XSLTs (CEN EN 16931 UBL and
 * Peppol BIS 3.0 UBL) on a warm JVM, for bench/peppol_validate.sh.
 *
 * Usage: java -cp Saxon-HE.jar:DIR PeppolValidateSaxon RUNS WARMUP [-threads N] [-xsd UBLDIR] XSLT... -- FILE...
 * Compiles each XSLT once, then per document: parse the bytes, run every
 * XSLT into an SVRL tree, count failed asserts. With -xsd, each document
 * is first checked against the UBL 2.1 schema (JDK javax.xml.validation,
 * schemas compiled once), as the official validator does and as ours does. Prints the median time per
 * invoice over RUNS passes, after WARMUP passes that let the JIT settle.
 * With -threads N (N > 1), N threads then run the same passes at the same
 * time (each with its own document builder and query; the compiled XSLTs
 * and schemas are shared, as Saxon and the JDK allow), each starting at a
 * different document, and the wall time per invoice of the whole is printed
 * too (saxon_mt_us_per_invoice): the throughput figure.
 * Never writes files; used only by the benchmark, never by tests.
 */
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

import java.nio.charset.StandardCharsets;

import javax.xml.XMLConstants;
import javax.xml.transform.ErrorListener;
import javax.xml.transform.TransformerException;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.Schema;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;

import org.xml.sax.SAXException;

import net.sf.saxon.s9api.DocumentBuilder;
import net.sf.saxon.s9api.Processor;
import net.sf.saxon.s9api.XdmDestination;
import net.sf.saxon.s9api.XdmNode;
import net.sf.saxon.s9api.XPathCompiler;
import net.sf.saxon.s9api.XPathSelector;
import net.sf.saxon.s9api.Xslt30Transformer;
import net.sf.saxon.s9api.XsltCompiler;
import net.sf.saxon.s9api.XsltExecutable;

public final class PeppolValidateSaxon {
	private PeppolValidateSaxon() {
	}

	private static Schema invoiceXsd;
	private static Schema creditNoteXsd;
	private static final AtomicLong xsdFailures = new AtomicLong();

	public static void main(String[] args) throws Exception {
		int runs = Integer.parseInt(args[0]);
		int warm = Integer.parseInt(args[1]);
		List<String> xslts = new ArrayList<>();
		List<byte[]> docs = new ArrayList<>();
		int i = 2;
		int threads = 1;
		if (args.length > i + 1 && args[i].equals("-threads")) {
			threads = Integer.parseInt(args[i + 1]);
			i += 2;
		}
		if (args.length > i + 1 && args[i].equals("-xsd")) {
			SchemaFactory sf = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
			invoiceXsd = sf.newSchema(Paths.get(args[i + 1], "maindoc", "UBL-Invoice-2.1.xsd").toFile());
			creditNoteXsd = sf.newSchema(Paths.get(args[i + 1], "maindoc", "UBL-CreditNote-2.1.xsd").toFile());
			i += 2;
		}
		for (; i < args.length && !args[i].equals("--"); i++)
			xslts.add(args[i]);
		for (i++; i < args.length; i++)
			docs.add(Files.readAllBytes(Paths.get(args[i])));

		Processor proc = new Processor(false);
		XsltCompiler comp = proc.newXsltCompiler();
		comp.setErrorListener(new QuietErrors());
		long c0 = System.nanoTime();
		List<XsltExecutable> exes = new ArrayList<>();
		for (String x : xslts)
			exes.add(comp.compile(new StreamSource(Paths.get(x).toFile())));
		double compileMs = (System.nanoTime() - c0) / 1e6;
		DocumentBuilder db = proc.newDocumentBuilder();
		XPathSelector failed = failedQuery(proc);

		for (int w = 0; w < warm; w++)
			pass(exes, db, failed, docs, 0);
		/* Wall time, and this thread's CPU time (JIT and GC threads are not
		 * counted, which only favours Saxon). */
		ThreadMXBean mx = ManagementFactory.getThreadMXBean();
		double[] per = new double[runs];
		double[] cpu = new double[runs];
		long errors = 0;
		for (int r = 0; r < runs; r++) {
			long s = System.nanoTime();
			long c = mx.getCurrentThreadCpuTime();
			errors = pass(exes, db, failed, docs, 0);
			per[r] = (System.nanoTime() - s) / (double) docs.size();
			cpu[r] = (mx.getCurrentThreadCpuTime() - c) / (double) docs.size();
		}
		Arrays.sort(per);
		Arrays.sort(cpu);
		System.out.printf("saxon: %d documents, %d stylesheets compiled once in %.0f ms (Saxon-HE %s)%n",
		    docs.size(), exes.size(), compileMs, proc.getSaxonProductVersion());
		System.out.printf("saxon: fatal failed-asserts per pass: %d%s%n", errors,
		    invoiceXsd == null ? " (no schema check)" : ", schema failures in all passes: " + xsdFailures.get());
		System.out.printf("saxon: median %.1f us per invoice (min %.1f, max %.1f, %d runs after %d warm-up passes)%n",
		    per[runs / 2] / 1e3, per[0] / 1e3, per[runs - 1] / 1e3, runs, warm);
		System.out.printf("saxon: median thread CPU %.1f us per invoice%n", cpu[runs / 2] / 1e3);
		System.out.printf("saxon_us_per_invoice=%.3f%n", per[runs / 2] / 1e3);
		System.out.printf("saxon_cpu_us_per_invoice=%.3f%n", cpu[runs / 2] / 1e3);
		if (threads > 1)
			threaded(proc, exes, docs, threads, runs, warm, errors);
	}

	private static XPathSelector failedQuery(Processor proc) throws Exception {
		XPathCompiler xp = proc.newXPathCompiler();
		xp.declareNamespace("svrl", "http://purl.oclc.org/dsdl/svrl");
		return xp.compile("count(//svrl:failed-assert[@flag='fatal'])").load();
	}

	/* N threads doing the same passes at once; prints the wall time per
	 * invoice of the whole and how many passes found a different count. */
	private static void threaded(Processor proc, List<XsltExecutable> exes, List<byte[]> docs, int threads,
	    int runs, int warm, long expect) throws Exception {
		CyclicBarrier bar = new CyclicBarrier(threads + 1);
		AtomicLong mismatches = new AtomicLong();
		Thread[] ts = new Thread[threads];
		final Exception[] failure = new Exception[1];
		for (int t = 0; t < threads; t++) {
			final int first = t * docs.size() / 2 + t;
			ts[t] = new Thread(() -> {
				try {
					DocumentBuilder db = proc.newDocumentBuilder();
					XPathSelector failed = failedQuery(proc);
					for (int w = 0; w < warm; w++)
						pass(exes, db, failed, docs, first);
					for (int r = 0; r < runs; r++) {
						bar.await();
						if (pass(exes, db, failed, docs, first) != expect)
							mismatches.incrementAndGet();
						bar.await();
					}
				} catch (Exception e) {
					synchronized (failure) {
						failure[0] = e;
					}
					bar.reset();
				}
			});
			ts[t].start();
		}
		double[] per = new double[runs];
		for (int r = 0; r < runs; r++) {
			try {
				bar.await();
				long s = System.nanoTime();
				bar.await();
				per[r] = (System.nanoTime() - s) / (double) (docs.size() * threads);
			} catch (BrokenBarrierException e) {
				break;
			}
		}
		for (Thread t : ts)
			t.join();
		if (failure[0] != null)
			throw failure[0];
		Arrays.sort(per);
		System.out.printf("saxon: %d threads: median %.1f us wall per invoice (throughput %.0f invoices/s); passes whose findings differ: %d%n",
		    threads, per[runs / 2] / 1e3, 1e9 / per[runs / 2], mismatches.get());
		System.out.printf("saxon_mt_us_per_invoice=%.3f%n", per[runs / 2] / 1e3);
	}

	/* Compile-time warnings about the official XSLTs are not ours to show. */
	private static final class QuietErrors implements ErrorListener {
		public void warning(TransformerException e) {
		}

		public void error(TransformerException e) throws TransformerException {
			throw e;
		}

		public void fatalError(TransformerException e) throws TransformerException {
			throw e;
		}
	}

	/* One pass: parse each document and run every stylesheet over it. */
	private static long pass(List<XsltExecutable> exes, DocumentBuilder db, XPathSelector failed,
	    List<byte[]> docs, int first) throws Exception {
		long errors = 0;
		for (int j = 0; j < docs.size(); j++) {
			byte[] d = docs.get((first + j) % docs.size());
			if (invoiceXsd != null) {
				boolean cn = new String(d, 0, Math.min(d.length, 2048), StandardCharsets.UTF_8).contains("<CreditNote");
				Validator v = (cn ? creditNoteXsd : invoiceXsd).newValidator();
				try {
					v.validate(new StreamSource(new ByteArrayInputStream(d)));
				} catch (SAXException e) {
					xsdFailures.incrementAndGet();
				}
			}
			XdmNode src = db.build(new StreamSource(new ByteArrayInputStream(d)));
			for (XsltExecutable e : exes) {
				Xslt30Transformer t = e.load30();
				/* The Schematron's global variables read the document root. */
				t.setGlobalContextItem(src);
				XdmDestination out = new XdmDestination();
				t.applyTemplates(src, out);
				failed.setContextItem(out.getXdmNode());
				errors += Long.parseLong(failed.evaluateSingle().getStringValue());
			}
		}
		return errors;
	}
}
