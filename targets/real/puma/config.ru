# Rack app for targets/real/puma/run.sh: /healthz answers ok; /big sends 1 MiB in 64 chunks of 16 KiB, one every
# 62 ms, so a download is in flight for about 4 s.
CHUNK = ('x' * 16384).freeze

class Slowly
  def each
    64.times do
      yield CHUNK
      sleep 0.062
    end
  end
end

run lambda { |env|
  case env['PATH_INFO']
  when '/healthz' then [200, { 'content-type' => 'text/plain', 'content-length' => '3' }, ["ok\n"]]
  when '/big' then [200, { 'content-type' => 'application/octet-stream', 'content-length' => (16384 * 64).to_s }, Slowly.new]
  else [404, { 'content-length' => '0' }, []]
  end
}
