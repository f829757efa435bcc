// mangled: C++ code with namespaces, templates, operators and lambdas,
// compiled by the demangler tests only to read its symbol names.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace pool {
template <typename T> struct Queue {
  std::vector<T> items;
  __attribute__((noinline)) T take(int index) const { return items.at(index); }
  bool operator==(const Queue &other) const { return items == other.items; }
};

__attribute__((noinline)) int wait_for(const std::map<std::string, int> &m,
                                       std::function<int(int)> f)
{
  return f((int)m.size());
}
} // namespace pool

int main()
{
  pool::Queue<std::string> q{{"a", "b"}};
  pool::Queue<double> d{{1.5}};
  std::map<std::string, int> m{{"x", 1}};
  int k = pool::wait_for(m, [&](int n) { return n + (int)q.take(0).size(); });
  return (q == q) + (int)d.take(0) + k > 100;
}
