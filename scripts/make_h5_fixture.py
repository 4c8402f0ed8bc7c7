#!/usr/bin/python3
"""Writes packages/core/fixtures/convert/mobilenet_tiny.h5: a tiny Keras-2 functional model with every layer type of
HSEmotion's mobilenet_7.h5 (Keras MobileNet v1 + Dense heads), in the exact HDF5 layout `model.save('x.h5')` of Keras 2
produces, plus reference outputs computed here in numpy (mobilenet_tiny_ref.json).

No TensorFlow/Keras is installed on this machine, so the file is written with h5py following Keras 2's
hdf5_format.save_model_to_hdf5 / save_weights_to_hdf5_group:
  root attrs      keras_version, backend (bytes), model_config (JSON bytes)
  /model_weights  attrs layer_names (array of bytes), backend, keras_version
  /model_weights/<layer>            attr weight_names (array of bytes, e.g. b"conv1/kernel:0")
  /model_weights/<layer>/<weight>   float32 dataset (so a weight "conv1/kernel:0" lives at model_weights/conv1/conv1/kernel:0)
Layer configs carry the keys Keras 2.4 writes for these classes. The numpy forward pass below is the reference the
converter is tested against (TF semantics: 'same' padding puts the odd pixel at the end; BatchNormalization
y = (x - mean) / sqrt(var + eps) * gamma + beta).

Run: /usr/bin/python3 scripts/make_h5_fixture.py   (deterministic: fixed seed)
"""
import json
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', 'packages', 'core', 'fixtures', 'convert')
rng = np.random.default_rng(20240607)
H = W = 32

layers = []  # (class_name, config, inbound layer name or None, weights: list of (weight_name, array))


def add(cls, name, config, inbound, weights=()):
    cfg = {'name': name, 'trainable': True, 'dtype': 'float32', **config}
    layers.append((cls, cfg, inbound, list(weights)))
    return name


def bn(name, inbound, c):
    return add('BatchNormalization', name, {
        'axis': [3], 'momentum': 0.99, 'epsilon': 0.001, 'center': True, 'scale': True,
        'beta_initializer': {'class_name': 'Zeros', 'config': {}}, 'gamma_initializer': {'class_name': 'Ones', 'config': {}},
        'moving_mean_initializer': {'class_name': 'Zeros', 'config': {}}, 'moving_variance_initializer': {'class_name': 'Ones', 'config': {}},
        'beta_regularizer': None, 'gamma_regularizer': None, 'beta_constraint': None, 'gamma_constraint': None,
    }, inbound, [
        (f'{name}/gamma:0', rng.uniform(0.5, 1.5, c).astype(np.float32)),
        (f'{name}/beta:0', rng.normal(0, 0.1, c).astype(np.float32)),
        (f'{name}/moving_mean:0', rng.normal(0, 0.2, c).astype(np.float32)),
        (f'{name}/moving_variance:0', rng.uniform(0.5, 2.0, c).astype(np.float32)),
    ])


def conv(name, inbound, cin, cout, k, strides, padding):
    return add('Conv2D', name, {
        'filters': cout, 'kernel_size': [k, k], 'strides': [strides, strides], 'padding': padding,
        'data_format': 'channels_last', 'dilation_rate': [1, 1], 'groups': 1, 'activation': 'linear', 'use_bias': False,
        'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}}, 'bias_initializer': {'class_name': 'Zeros', 'config': {}},
        'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None,
    }, inbound, [(f'{name}/kernel:0', rng.normal(0, np.sqrt(2.0 / (k * k * cin)), (k, k, cin, cout)).astype(np.float32))])


def dwconv(name, inbound, c, strides, padding):
    return add('DepthwiseConv2D', name, {
        'kernel_size': [3, 3], 'strides': [strides, strides], 'padding': padding, 'data_format': 'channels_last',
        'dilation_rate': [1, 1], 'activation': 'linear', 'use_bias': False, 'depth_multiplier': 1,
        'bias_initializer': {'class_name': 'Zeros', 'config': {}}, 'bias_regularizer': None, 'activity_regularizer': None, 'bias_constraint': None,
        'depthwise_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}}, 'depthwise_regularizer': None, 'depthwise_constraint': None,
    }, inbound, [(f'{name}/depthwise_kernel:0', rng.normal(0, np.sqrt(2.0 / 9), (3, 3, c, 1)).astype(np.float32))])


def relu6(name, inbound):
    return add('ReLU', name, {'max_value': 6.0, 'negative_slope': 0.0, 'threshold': 0.0}, inbound)


def zpad(name, inbound):
    return add('ZeroPadding2D', name, {'padding': [[0, 1], [0, 1]], 'data_format': 'channels_last'}, inbound)


def dense(name, inbound, cin, cout, activation):
    return add('Dense', name, {
        'units': cout, 'activation': activation, 'use_bias': True,
        'kernel_initializer': {'class_name': 'GlorotUniform', 'config': {'seed': None}}, 'bias_initializer': {'class_name': 'Zeros', 'config': {}},
        'kernel_regularizer': None, 'bias_regularizer': None, 'activity_regularizer': None, 'kernel_constraint': None, 'bias_constraint': None,
    }, inbound, [
        (f'{name}/kernel:0', rng.normal(0, np.sqrt(1.0 / cin), (cin, cout)).astype(np.float32)),
        (f'{name}/bias:0', rng.normal(0, 0.1, cout).astype(np.float32)),
    ])


# Same block structure and layer names as keras.applications.mobilenet (conv1_pad/conv1/conv1_bn/conv1_relu,
# conv_dw_N/_bn/_relu, conv_pw_N/_bn/_relu, conv_pad_N before strided depthwise), then HSEmotion's head.
add('InputLayer', 'input_1', {'batch_input_shape': [None, H, W, 3], 'sparse': False, 'ragged': False}, None)
x = zpad('conv1_pad', 'input_1')
x = conv('conv1', x, 3, 8, 3, 2, 'valid')
x = bn('conv1_bn', x, 8)
x = relu6('conv1_relu', x)
x = dwconv('conv_dw_1', x, 8, 1, 'same')
x = bn('conv_dw_1_bn', x, 8)
x = relu6('conv_dw_1_relu', x)
x = conv('conv_pw_1', x, 8, 16, 1, 1, 'same')
x = bn('conv_pw_1_bn', x, 16)
x = relu6('conv_pw_1_relu', x)
x = zpad('conv_pad_2', x)
x = dwconv('conv_dw_2', x, 16, 2, 'valid')
x = bn('conv_dw_2_bn', x, 16)
# Older keras_applications wrote the clipped ReLU as Activation(relu6); cover that spelling too.
x = add('Activation', 'conv_dw_2_relu', {'activation': 'relu6'}, x)
x = conv('conv_pw_2', x, 16, 32, 1, 1, 'same')
x = bn('conv_pw_2_bn', x, 32)
x = add('Activation', 'conv_pw_2_relu', {'activation': 'relu'}, x)
# 'same' with stride 2 on an even size: TF pads 0 before, 1 after (asymmetric).
x = dwconv('conv_dw_3', x, 32, 2, 'same')
x = bn('conv_dw_3_bn', x, 32)
x = relu6('conv_dw_3_relu', x)
x = conv('conv_pw_3', x, 32, 32, 1, 1, 'same')
x = bn('conv_pw_3_bn', x, 32)
x = relu6('conv_pw_3_relu', x)
x = add('GlobalAveragePooling2D', 'global_pooling', {'data_format': 'channels_last'}, x)
x = add('Reshape', 'reshape_1', {'target_shape': [1, 1, 32]}, x)
x = add('Dropout', 'dropout', {'rate': 0.001, 'noise_shape': None, 'seed': None}, x)
x = add('Flatten', 'flatten', {'data_format': 'channels_last'}, x)
x = dense('feats', x, 32, 16, 'relu')
x = dense('emotion_preds', x, 16, 7, 'softmax')


def forward(inp):
    acts = {}
    weights = {name: {w.split('/')[-1].split(':')[0]: a for w, a in ws} for _, cfg, _, ws in layers for name in [cfg['name']]}
    for cls, cfg, inbound, _ in layers:
        name = cfg['name']
        w = weights[name]
        x = inp if inbound is None else acts[inbound]
        if cls == 'InputLayer':
            y = x
        elif cls == 'ZeroPadding2D':
            (t, b), (l, r) = cfg['padding']
            y = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)))
        elif cls in ('Conv2D', 'DepthwiseConv2D'):
            k = w['kernel'] if cls == 'Conv2D' else w['depthwise_kernel']
            kh, kw = k.shape[:2]
            s = cfg['strides'][0]
            if cfg['padding'] == 'same':
                def pads(n):
                    out = -(-n // s)
                    total = max((out - 1) * s + kh - n, 0)
                    return total // 2, total - total // 2
                x = np.pad(x, ((0, 0), pads(x.shape[1]), pads(x.shape[2]), (0, 0)))
            oh = (x.shape[1] - kh) // s + 1
            ow = (x.shape[2] - kw) // s + 1
            patches = np.stack([np.stack([x[:, i:i + s * oh:s, j:j + s * ow:s, :] for j in range(kw)], 3) for i in range(kh)], 3)  # N,oh,ow,kh,kw,C
            if cls == 'Conv2D':
                y = np.einsum('nhwijc,ijco->nhwo', patches.astype(np.float64), k.astype(np.float64))
            else:
                y = np.einsum('nhwijc,ijc->nhwc', patches.astype(np.float64), k[..., 0].astype(np.float64))
        elif cls == 'BatchNormalization':
            y = (x - w['moving_mean']) / np.sqrt(w['moving_variance'].astype(np.float64) + cfg['epsilon']) * w['gamma'] + w['beta']
        elif cls == 'ReLU':
            y = np.clip(x, 0, cfg['max_value'])
        elif cls == 'Activation':
            y = np.clip(x, 0, 6) if cfg['activation'] == 'relu6' else np.maximum(x, 0)
        elif cls == 'GlobalAveragePooling2D':
            y = x.mean(axis=(1, 2))
        elif cls == 'Reshape':
            y = x.reshape((x.shape[0], *cfg['target_shape']))
        elif cls == 'Dropout':
            y = x
        elif cls == 'Flatten':
            y = x.reshape((x.shape[0], -1))
        elif cls == 'Dense':
            y = x @ w['kernel'].astype(np.float64) + w['bias']
            if cfg['activation'] == 'relu':
                y = np.maximum(y, 0)
            elif cfg['activation'] == 'softmax':
                e = np.exp(y - y.max(axis=-1, keepdims=True))
                y = e / e.sum(axis=-1, keepdims=True)
        else:
            raise ValueError(cls)
        acts[name] = y
    return acts


def main():
    os.makedirs(OUT, exist_ok=True)
    model_config = {
        'class_name': 'Functional',
        'config': {
            'name': 'mobilenet_tiny',
            'layers': [{'class_name': cls, 'config': cfg, 'name': cfg['name'], 'inbound_nodes': [] if inbound is None else [[[inbound, 0, 0, {}]]]}
                       for cls, cfg, inbound, _ in layers],
            'input_layers': [['input_1', 0, 0]],
            'output_layers': [['emotion_preds', 0, 0]],
        },
        'keras_version': '2.4.0',
        'backend': 'tensorflow',
    }
    path = os.path.join(OUT, 'mobilenet_tiny.h5')
    with h5py.File(path, 'w') as f:
        f.attrs['keras_version'] = b'2.4.0'
        f.attrs['backend'] = b'tensorflow'
        f.attrs['model_config'] = json.dumps(model_config).encode('utf8')
        g = f.create_group('model_weights')
        g.attrs['layer_names'] = np.array([cfg['name'].encode('utf8') for _, cfg, _, _ in layers])
        g.attrs['backend'] = b'tensorflow'
        g.attrs['keras_version'] = b'2.4.0'
        for _, cfg, _, ws in layers:
            lg = g.create_group(cfg['name'])
            lg.attrs['weight_names'] = np.array([n.encode('utf8') for n, _ in ws], dtype='S') if ws else np.array([], dtype='S1')
            for n, a in ws:
                lg.create_dataset(n, data=a)
    # Inputs as mobilenet_7 is fed: RGB 0..255 minus the Caffe means (float32).
    pixels = rng.integers(0, 256, (2, H, W, 3)).astype(np.float32)
    inp = (pixels - np.array([103.939, 116.779, 123.68], dtype=np.float32)).astype(np.float32)
    acts = forward(inp.astype(np.float64))
    ref = {
        'input_shape': list(inp.shape),
        'input': [float(v) for v in inp.ravel()],
        'outputs': {name: {'shape': list(acts[name].shape), 'data': [float(v) for v in acts[name].astype(np.float32).ravel()]}
                    for name in ('emotion_preds', 'global_pooling')},
        'params': int(sum(a.size for _, _, _, ws in layers for _, a in ws)),
    }
    with open(os.path.join(OUT, 'mobilenet_tiny_ref.json'), 'w') as f:
        json.dump(ref, f)
    print(path, os.path.getsize(path), 'bytes;', ref['params'], 'weights')


if __name__ == '__main__':
    main()
