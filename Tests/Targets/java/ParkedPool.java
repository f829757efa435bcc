// ParkedPool: a fixed pool of 8 workers that ran one task each and now
// wait (parked) for more. Prints "ready <pid>" once all 8 exist and idle.
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

public class ParkedPool {
  public static void main(String[] args) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch done = new CountDownLatch(8);
    for (int i = 0; i < 8; i++) {
      pool.submit(done::countDown);
    }
    done.await();
    System.out.println("ready " + ProcessHandle.current().pid());
    System.out.flush();
    Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    System.exit(0);
  }
}
