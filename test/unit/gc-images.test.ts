import { describe, expect, it } from 'vitest';
import { BUILD_LABEL } from '../../src/backends/docker/image.js';
import { judgeImages, type EngineImage } from '../../src/gc/images.js';

const image = (id: string, tags: string[], labelled = true): EngineImage => ({ id, tags, labels: labelled ? { [BUILD_LABEL]: '/ctx' } : {}, size: 1e6 });

describe('judgeImages', () => {
  const images = [
    image('sha256:a', ['sigstorm/go:ctx-aaaaaaaaaaaa']),
    image('sha256:b', ['sigstorm/go:ctx-bbbbbbbbbbbb', 'mine/go:v1']),
    image('sha256:c', ['sigstorm/go:ctx-cccccccccccc'], false), // built before the label
    image('sha256:d', ['sigstorm/go:ctx-dddddddddddd']),
    image('sha256:e', []), // an untagged build of ours
    image('sha256:f', ['redis:7', 'sigstorm/tools:latest'], false), // not ours
  ];
  const wanted = new Map([['sigstorm/go:ctx-aaaaaaaaaaaa', ['graceful']]]);
  const inUse = new Map([['sha256:d', ['web']]]);

  it('removes what no scenario resolves to and no container uses; keeps the rest, saying why; never touches tags it did not give', () => {
    const verdicts = judgeImages(images, wanted, inUse);
    expect(verdicts.map((v) => [v.ref, v.remove, v.why])).toEqual([
      ['sigstorm/go:ctx-aaaaaaaaaaaa', false, 'scenario graceful resolves to it'],
      ['sigstorm/go:ctx-bbbbbbbbbbbb', true, 'no scenario resolves to it'],
      ['sigstorm/go:ctx-cccccccccccc', true, 'no scenario resolves to it'],
      ['sigstorm/go:ctx-dddddddddddd', false, 'in use by container web'],
      ['sha256:e', true, 'no scenario resolves to it'],
    ]);
  });

  it('with repositories, judges only their tags', () => {
    expect(judgeImages([...images, image('sha256:g', ['sigstorm/tcp:ctx-000000000000'])], wanted, inUse, ['sigstorm/tcp']).map((v) => v.ref)).toEqual([
      'sigstorm/tcp:ctx-000000000000',
    ]);
  });
});
