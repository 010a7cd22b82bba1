#include "interrupt.hpp"

#include <pybind11/pybind11.h>

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace groundswell::python {

namespace py = pybind11;

void run_interruptible(const std::function<void(const std::atomic<bool>& stop)>& work,
                       const std::function<void()>& poll) {
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::exception_ptr failure;
  bool interrupted = false;
  std::optional<py::error_already_set> poll_error;
  {
    const py::gil_scoped_release release;
    std::thread worker([&] {
      try {
        work(stop);
      } catch (...) {
        failure = std::current_exception();
      }
      const std::lock_guard<std::mutex> lock(mutex);
      finished = true;
      finished_cv.notify_all();
    });
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex);
        if (finished_cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished; })) break;
      }
      const py::gil_scoped_acquire acquire;
      if (PyErr_CheckSignals() != 0) {  // KeyboardInterrupt (or a handler's exception) is now set
        interrupted = true;
        stop.store(true);
        break;
      }
      if (poll) {
        try {
          poll();
        } catch (py::error_already_set& error) {
          poll_error = std::move(error);
          stop.store(true);
          break;
        }
      }
    }
    worker.join();
  }
  if (interrupted) throw py::error_already_set();
  if (poll_error) throw std::move(*poll_error);
  if (failure) std::rethrow_exception(failure);
}

void run_interruptible_with_lines(const std::function<void(const std::atomic<bool>& stop, const Say& say)>& work,
                                  const std::function<void(const std::string& line)>& deliver) {
  std::mutex mutex;
  std::vector<std::string> lines;
  const Say say = [&](const std::string& line) {
    const std::lock_guard<std::mutex> lock(mutex);
    lines.push_back(line);
  };
  const auto poll = [&] {
    std::vector<std::string> pending;
    {
      const std::lock_guard<std::mutex> lock(mutex);
      pending.swap(lines);
    }
    for (const auto& line : pending) deliver(line);
  };
  run_interruptible([&](const std::atomic<bool>& stop) { work(stop, say); }, poll);
  poll();
}

}  // namespace groundswell::python
