/* dlib: a shared object that dlopener loads late, for refresh tests. */
#define NOINLINE __attribute__((noinline))

volatile int dlib_sink;

NOINLINE int dlib_work(int x)
{
  dlib_sink += x;
  return dlib_sink;
}
