package sizedrop;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A deliberately tiny test runner, so the build needs nothing but the JDK (no JUnit, no
 * Maven download). Every public no-argument method whose name starts with "test" in the
 * classes below is a test. Each class is instantiated once; if it is AutoCloseable, it is
 * closed after its tests (HttpTest uses that to stop its server). Prints one line per test
 * and exits 1 if any test failed, which makes the Dockerfile's RUN step, and so the whole
 * `docker build`, fail.
 */
public final class TestMain {

    private static final List<Class<?>> TEST_CLASSES = List.of(
            PrimesTest.class,
            PrimesQueryTest.class,
            QueryTest.class,
            ServiceTest.class,
            AppTest.class,
            HttpTest.class);

    private TestMain() {
    }

    public static void main(String[] args) throws Exception {
        int passed = 0;
        List<String> failures = new ArrayList<>();
        for (Class<?> testClass : TEST_CLASSES) {
            Object instance;
            try {
                instance = testClass.getDeclaredConstructor().newInstance();
            } catch (InvocationTargetException e) {
                failures.add(testClass.getSimpleName() + " (set-up): " + e.getCause());
                System.out.println("FAIL " + testClass.getSimpleName() + " set-up: " + e.getCause());
                continue;
            }
            try {
                for (Method method : testMethods(testClass)) {
                    String name = testClass.getSimpleName() + "." + method.getName();
                    try {
                        method.invoke(instance);
                        passed++;
                        System.out.println("ok   " + name);
                    } catch (InvocationTargetException e) {
                        Throwable cause = e.getCause();
                        failures.add(name + ": " + cause);
                        System.out.println("FAIL " + name + ": " + cause);
                    }
                }
            } finally {
                if (instance instanceof AutoCloseable closeable) {
                    closeable.close();
                }
            }
        }
        System.out.println();
        System.out.println(passed + " passed, " + failures.size() + " failed");
        if (!failures.isEmpty()) {
            failures.forEach(f -> System.out.println("  " + f));
            System.exit(1);
        }
        // Exit explicitly: the virtual-thread executors of stopped servers must not keep us waiting.
        System.exit(0);
    }

    private static List<Method> testMethods(Class<?> testClass) {
        return Arrays.stream(testClass.getDeclaredMethods())
                .filter(m -> m.getName().startsWith("test"))
                .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getParameterCount() == 0)
                .sorted(Comparator.comparing(Method::getName))
                .toList();
    }
}
